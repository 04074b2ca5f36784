"""What the sandbox identity provider keeps: its signing keys, the one-use authorization codes
it hands out and the access tokens the userinfo endpoint accepts (codes and tokens hashed)."""

from django.db import models


class SigningKey(models.Model):
    """An RSA key the sandbox signs ID tokens with (RS256); the private half sealed with a key
    derived from SECRET_KEY (core.crypto). The newest signs; all are published in the JWKS."""

    kid = models.CharField(max_length=64, unique=True)
    private_key = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.kid


class AuthorizationCode(models.Model):
    """A code the authorization endpoint gave a client: one use, valid 60 seconds."""

    code_hash = models.CharField(max_length=64, unique=True)
    client_id = models.CharField(max_length=100)
    redirect_uri = models.URLField(max_length=500)
    scope = models.CharField(max_length=300)
    nonce = models.CharField(max_length=300, blank=True)
    code_challenge = models.CharField(max_length=128)
    citizen_id = models.CharField(max_length=12)
    session_id = models.CharField(max_length=64, blank=True)
    auth_time = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.client_id} {self.citizen_id}"


class AccessToken(models.Model):
    """A bearer token for the userinfo endpoint, issued in exchange for a code."""

    token_hash = models.CharField(max_length=64, unique=True)
    code = models.ForeignKey(AuthorizationCode, on_delete=models.CASCADE, related_name="tokens")
    client_id = models.CharField(max_length=100)
    citizen_id = models.CharField(max_length=12)
    scope = models.CharField(max_length=300)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.client_id} {self.citizen_id}"
