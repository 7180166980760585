import pytest

from core.language import LanguageDetector


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector(("vi", "en"))


@pytest.mark.parametrize("text", [
    "em ban hang online tren shopee thi co phai nop thue khong a",
    "cho em hoi tinh co ho tro von khoi nghiep cho sinh vien moi ra truong khong",
    "xa em bao gio moi co cap quang",
    "Dang ky kinh doanh qua mang o dau",
    "lam sao de dang ky nhan hieu cho san pham tuong Ban",
])
def test_vietnamese_without_diacritics(detector, text):
    assert detector.detect(text) == "vi"


@pytest.mark.parametrize("text", [
    "Tỉnh có hỗ trợ thanh niên khởi nghiệp không ạ?",
    "Khi nào xã em có sóng 5G?",
    "TRƯỜNG EM THIẾU MÁY TÍNH",
])
def test_vietnamese_with_diacritics(detector, text):
    assert detector.detect(text) == "vi"


@pytest.mark.parametrize("text", [
    "How can I register a tech startup in the province?",
    "Is there any scholarship for students who study programming?",
    "When will my village get fibre broadband?",
    "How can young people in Hưng Yên join the dialogue?",
    "Digital transformation roadmap for Hung Yen",
])
def test_english(detector, text):
    assert detector.detect(text) == "en"


@pytest.mark.parametrize("text", ["", "   ", "123 456", "?!", "ok", "shopee", "ok shopee", "thanks"])
def test_empty_or_short_text_gets_the_default(detector, text):
    assert detector.detect(text) == "vi"


def test_default_is_the_first_configured_language():
    assert LanguageDetector(("en", "vi")).detect("ok") == "en"


def test_result_is_always_a_configured_language():
    only_english = LanguageDetector(("en",))
    assert only_english.detect("Tỉnh có hỗ trợ thanh niên khởi nghiệp không ạ?") == "en"
    assert LanguageDetector(("vi", "en")).detect("Bonjour, comment allez-vous aujourd'hui mes amis?") in ("vi", "en")


def test_mixed_vietnamese_with_english_loanwords_is_vietnamese(detector):
    assert detector.detect("startup cua em can funding thi lien he ai a") == "vi"
    assert detector.detect("Em muốn học digital marketing online") == "vi"


def test_deterministic(detector):
    text = "Hội chợ online năm nay ở đâu"
    assert len({detector.detect(text) for _ in range(5)}) == 1


def test_no_languages_is_an_error():
    with pytest.raises(ValueError):
        LanguageDetector(())


def test_langdetect_breaks_a_tie_among_configured_languages_only(detector):
    # No function words and no diacritics: the rules cannot tell, and plain langdetect
    # would answer Swedish here.
    assert detector.detect("Hung Yen smart farming roadmap") == "en"
