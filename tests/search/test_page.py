import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(demo_search_index):
    """The demo catalogue indexed once per session: these tests only read it."""


def test_search_page_shows_highlighted_results_and_facets(client, index):
    response = client.get("/search/", {"q": "蛏子"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "长街<mark>蛭子</mark>" in html
    assert 'data-facet="category" data-value="seafood"' in html
    assert 'role="status"' in html


def test_search_page_marks_chosen_facets_and_links_to_remove_them(client, index):
    html = client.get("/search/", {"q": "", "category": "crafts"}).content.decode()
    assert 'aria-current="true" data-facet="category" data-value="crafts"' in html
    assert "西坞刺绣香囊" in html and "长街蛭子" not in html


def test_every_page_has_a_labelled_search_box_in_the_header(client):
    html = client.get("/").content.decode()
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    assert 'role="search"' in header and 'action="/search/"' in header
    assert '<label class="visually-hidden" for="site-search-q">' in header
    assert 'role="combobox"' in header and 'aria-controls="site-search-suggestions"' in header
    assert 'data-suggest-url="/api/v1/search/suggest/"' in header
