"""VNeID (tài khoản định danh điện tử), through OpenID Connect: authorization code with PKCE."""
