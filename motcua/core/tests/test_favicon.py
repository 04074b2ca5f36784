"""The site's icon: linked from every page, and /favicon.ico answers for browsers that ask."""

from django.contrib.staticfiles import finders


def test_favicon_ico_redirects_to_the_static_icon(client, db):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.ico"
    assert "max-age=86400" in response["Cache-Control"]
    assert finders.find("favicon.ico")


def test_every_page_links_an_svg_icon_and_a_png_fallback(client, db):
    html = client.get("/").content.decode()

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert 'href="/static/favicon.png" type="image/png"' in html
    for name in ("favicon.svg", "favicon.png", "apple-touch-icon.png"):
        assert finders.find(name), name
