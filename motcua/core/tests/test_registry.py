import pytest
from django.core.exceptions import ImproperlyConfigured

from motcua.core.registry import Registry


def test_a_registry_gives_instances_by_id_and_refuses_a_second_plugin_with_the_same_id():
    carriers = Registry("Postal carrier")

    @carriers.register("vnpost")
    class VNPost:
        pass

    assert VNPost.id == "vnpost" and "vnpost" in carriers and carriers.ids() == ["vnpost"]
    assert isinstance(carriers.get("vnpost"), VNPost)
    assert carriers.get("ems") is None
    with pytest.raises(KeyError):
        carriers["ems"]
    with pytest.raises(ImproperlyConfigured, match="Postal carrier 'vnpost'"):
        carriers.register("vnpost")(type("Other", (), {}))
