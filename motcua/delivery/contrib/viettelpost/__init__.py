"""Viettel Post (dịch vụ bưu chính Viettel Post): booking a dispatch, status webhook."""
