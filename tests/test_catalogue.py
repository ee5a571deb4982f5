import hashlib
import json

from cmm_scan.catalogue import all_questions, cmm_category_titles, cmm_questions, csmm_categories
from cmm_scan.paths import package_data


def test_47_questions_keyed_by_sha256_of_their_title():
    questions = cmm_questions()
    assert len(questions) == 47
    for q in questions:
        assert q.key == hashlib.sha256(q.title.encode("utf-8")).hexdigest(), q.title
    assert len({q.key for q in questions}) == 47


def test_every_question_has_4_or_5_levels_numbered_from_1():
    for q in cmm_questions():
        assert len(q.levels) in (4, 5), q.id
        assert [lv.level for lv in q.levels] == list(range(1, len(q.levels) + 1))


def test_seven_categories_and_ids_unique():
    assert set(cmm_category_titles()) == {"cost", "data", "governance", "operations", "people", "security", "tech"}
    assert {q.category for q in cmm_questions()} == set(cmm_category_titles())
    assert len(all_questions()) == 47 + 12


def test_package_copy_matches_the_shared_catalogue_titles():
    data = json.loads(package_data("cmm_questions.json").read_text(encoding="utf-8"))
    assert [q["title"] for q in data["questions"]] == [q.title for q in cmm_questions()]


def test_csmm_has_12_categories_of_5_levels():
    categories = csmm_categories()
    assert len(categories) == 12
    assert all(len(c.levels) == 5 for c in categories)
    assert len({c.id for c in categories}) == 12
