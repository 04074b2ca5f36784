import django.core.serializers.json
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import motcua.signing.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("catalogue", "0004_procedure_fee_schedule"),
        ("documents", "0002_append_only"),
        ("dossiers", "0010_all_tab_due_order_index"),
        ("results", "0003_verification_moves_to_signing"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # The tables exist since results.0001 (see results.0003): only the state is created.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="VerifiableDocument",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "token",
                            models.CharField(
                                default=motcua.signing.models.new_token, max_length=32, unique=True
                            ),
                        ),
                        ("sha256", models.CharField(max_length=64, unique=True)),
                        ("kind", models.CharField(max_length=24, verbose_name="loại giấy tờ")),
                        ("title", models.CharField(max_length=200, verbose_name="tên giấy tờ")),
                        ("number", models.CharField(max_length=60, verbose_name="số")),
                        ("issued_at", models.DateTimeField(verbose_name="ngày ký")),
                        ("signer", models.CharField(max_length=300, verbose_name="chứng thư ký")),
                        (
                            "face",
                            models.JSONField(
                                blank=True,
                                default=dict,
                                encoder=django.core.serializers.json.DjangoJSONEncoder,
                            ),
                        ),
                        (
                            "agency",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="catalogue.agency",
                            ),
                        ),
                        (
                            "dossier",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="dossiers.dossier",
                            ),
                        ),
                        (
                            "issued_document",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="verifiable",
                                to="documents.issueddocument",
                            ),
                        ),
                        (
                            "result",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="verifiable",
                                to="results.resultdocument",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "giấy tờ xác thực được",
                        "verbose_name_plural": "giấy tờ xác thực được",
                        "db_table": "results_verifiabledocument",
                    },
                ),
                migrations.CreateModel(
                    name="Revocation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "revoked_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now, verbose_name="thu hồi lúc"
                            ),
                        ),
                        ("reason", models.TextField(verbose_name="lý do thu hồi")),
                        (
                            "revoked_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "document",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="revocation",
                                to="signing.verifiabledocument",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "quyết định thu hồi",
                        "verbose_name_plural": "quyết định thu hồi",
                        "db_table": "results_revocation",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
