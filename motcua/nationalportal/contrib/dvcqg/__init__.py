"""Cổng Dịch vụ công quốc gia (dichvucong.gov.vn): dossier statuses pushed to its JSON API."""
