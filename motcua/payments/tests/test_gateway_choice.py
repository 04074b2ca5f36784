"""The gateway a dossier pays through is its procedure's, else its agencies', else the default;
the applicant is told which and cannot pick another (decision 0082)."""

import pytest
from django.core.exceptions import ValidationError

from motcua.accounts.testing import login_officer
from motcua.catalogue.models import Agency, Procedure
from motcua.factories import AgencyFactory, ProcedureFactory
from motcua.payments import registry, settlement
from motcua.payments.models import Payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    """A province, its department, and a procedure the department receives."""
    province = AgencyFactory(level=Agency.Level.PROVINCE)
    department = AgencyFactory(parent=province)
    procedure = ProcedureFactory(agency=department, receiving_agency=department)
    return province, department, procedure


def gateway(procedure) -> str | None:
    return registry.gateway_id_for(Procedure.objects.get(pk=procedure.pk))


def test_nothing_named_is_the_first_active_gateway(tree, settings):
    _province, _department, procedure = tree
    assert settings.PAYMENT_GATEWAYS == ["vnpay", "paygov"]
    assert gateway(procedure) == "vnpay"
    settings.PAYMENT_GATEWAYS = []
    assert gateway(procedure) is None


def test_the_procedure_inherits_from_its_agency_then_the_parents(tree):
    province, department, procedure = tree
    Agency.objects.filter(pk=province.pk).update(payment_gateway="paygov")
    assert gateway(procedure) == "paygov"  # from the province, two steps up
    Agency.objects.filter(pk=department.pk).update(payment_gateway="vnpay")
    assert gateway(procedure) == "vnpay"  # the nearer agency wins
    Procedure.objects.filter(pk=procedure.pk).update(payment_gateway="paygov")
    assert gateway(procedure) == "paygov"  # the procedure's own wins


def test_a_gateway_switched_off_is_passed_over(tree, settings):
    province, department, procedure = tree
    Agency.objects.filter(pk=province.pk).update(payment_gateway="vnpay")
    Procedure.objects.filter(pk=procedure.pk).update(payment_gateway="paygov")
    settings.PAYMENT_GATEWAYS = ["vnpay"]
    assert gateway(procedure) == "vnpay"


def test_only_active_gateways_may_be_named(tree, settings):
    province, _department, procedure = tree
    province.payment_gateway = "momo"
    with pytest.raises(ValidationError) as refused:
        province.full_clean()
    assert "không được bật" in str(refused.value.message_dict["payment_gateway"])
    procedure.payment_gateway = "momo"
    with pytest.raises(ValidationError) as refused:
        procedure.clean()
    assert "payment_gateway" in refused.value.message_dict
    procedure.payment_gateway = "paygov"
    procedure.clean_fields()


def test_the_admin_offers_the_active_gateways(client, tree, make_officer):
    _province, department, _procedure = tree
    login_officer(client, make_officer(email="qt@example.vn", is_staff=True, is_superuser=True))
    page = client.get(f"/admin/catalogue/agency/{department.pk}/change/").content.decode()
    assert '<option value="paygov">paygov</option>' in page
    assert "Theo cơ quan cấp trên" in page


def test_the_applicant_is_told_the_gateway_and_cannot_pick_another(
    client, awaiting, citizen, in_process_http
):
    Agency.objects.filter(pk=awaiting.receiving_agency_id).update(payment_gateway="paygov")
    client.force_login(citizen)
    page = client.get(f"/dossiers/{awaiting.uuid}/").content.decode()
    assert "Thanh toán qua Nền tảng thanh toán trực tuyến quốc gia (PayGov)" in page
    # Naming VNPay in the form changes nothing: the procedure pays through PayGov.
    response = client.post(f"/dossiers/{awaiting.uuid}/payments/", {"gateway": "vnpay"})
    assert response["Location"].startswith("http://testserver/sandbox/paygov/pay/?")
    assert Payment.objects.get().gateway == "paygov"
    # And a service caller naming another gateway is refused.
    with pytest.raises(settlement.PaymentRefused, match="PayGov"):
        settlement.start_online_payment(
            dossier=awaiting, applicant=citizen, plugin_id="vnpay", client_ip=""
        )


def test_vnpay_stays_the_default_and_is_named(client, awaiting, citizen):
    client.force_login(citizen)
    page = client.get(f"/dossiers/{awaiting.uuid}/").content.decode()
    assert "Thanh toán qua VNPay" in page
