import gettext

import polib
import pytest
from django.conf import settings
from django.utils import translation

LOCALE = settings.BASE_DIR / "locale"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_catalogue_is_complete_and_compiled(lang, tmp_path):
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    assert po.percent_translated() == 100, [e.msgid for e in po.untranslated_entries()]
    assert not po.fuzzy_entries()
    # The committed .mo holds exactly what the .po says (run `make messages` after editing).
    fresh = tmp_path / "fresh.mo"
    po.save_as_mofile(str(fresh))
    with open(LOCALE / lang / "LC_MESSAGES" / "django.mo", "rb") as committed, open(fresh, "rb") as new:
        committed_catalog = gettext.GNUTranslations(committed)._catalog
        fresh_catalog = gettext.GNUTranslations(new)._catalog
    # The header (metadata, dates) may be ordered differently by msgfmt and polib.
    committed_catalog.pop("")
    fresh_catalog.pop("")
    assert committed_catalog == fresh_catalog


def test_english_is_the_second_language():
    with translation.override("en"):
        assert translation.gettext("Đăng xuất") == "Log out"
        assert translation.gettext("Đối tượng kiểm tra") == "Units under inspection"
    with translation.override("vi"):
        assert translation.gettext("Đăng xuất") == "Đăng xuất"
