import pytest
import requests


@pytest.mark.django_db
def test_requests_reach_this_process_and_nothing_else(in_process_http):
    answer = requests.get("http://testserver/health/live/", timeout=5)
    assert answer.status_code == 200
    assert in_process_http.calls == [("GET", "http://testserver/health/live/")]
    with pytest.raises(requests.ConnectionError):
        requests.get("http://example.com/", timeout=5)
    in_process_http.fail("/health/live/", requests.Timeout("slow"))
    with pytest.raises(requests.Timeout):
        requests.get("http://testserver/health/live/", timeout=5)
