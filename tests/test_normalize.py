from core.normalize import fold, words


def test_fold_strips_vietnamese_diacritics_and_d_bar():
    assert fold("Đăng ký") == "dang ky"
    assert fold("THƯƠNG MẠI ĐIỆN TỬ") == "thuong mai dien tu"
    assert fold("Nông nghiệp số, đổi mới sáng tạo") == "nong nghiep so, doi moi sang tao"


def test_fold_collapses_whitespace():
    assert fold("  Chuyển \t đổi\n\nsố  ") == "chuyen doi so"


def test_fold_is_idempotent_and_keeps_ascii():
    assert fold("e-commerce 4G") == "e-commerce 4g"
    assert fold(fold("Hưng Yên")) == fold("Hưng Yên") == "hung yen"


def test_composed_and_decomposed_input_fold_alike():
    import unicodedata

    text = "Khởi nghiệp"
    assert fold(unicodedata.normalize("NFD", text)) == fold(unicodedata.normalize("NFC", text))


def test_words_are_folded_letter_and_digit_runs():
    assert words("Sóng 4G ở Văn Giang, e-commerce? (OCOP)") == [
        "song", "4g", "o", "van", "giang", "e", "commerce", "ocop"]
    assert words("...!!") == []
    assert words("") == []
