"""The officer workspace (trang cán bộ), one module per page: the inbox, the dossier page,
the actions on a dossier, counter intake and the workflow editor. Views parse, authorise,
call machine.py / services.py, render."""
