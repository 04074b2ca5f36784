"""The state machine's actions, one module per stage; the table that lists them with every
fact about each is `motcua.workflow.machine.ACTIONS`."""
