"""The terms a question is compared on: folded words through the lexicon, without function words,
plus each pair of neighbouring terms (Vietnamese words are mostly two syllables: "học bổng")."""

from __future__ import annotations

from core.similarity import FUNCTION_WORDS
from core.understanding.lexicon import Lexicon

# Beyond core.similarity's function words: chat shorthand, prepositions, and words every question to
# a province's dialogue shares ("tỉnh", "năm"), which say nothing about what is asked.
STOP_TERMS = (FUNCTION_WORDS - {"thi"}) | frozenset("""
e mn mng ntn j z ak ah nha nhe ne thi vay ve ra len vao tu den tai trong tren bi hay nua dau nao sao
tinh nam nguoi moi tat ca hien nay hoi cho xin kinh gui lanh dao gan_day ai
toan suot luon hoai mai that hoan mi appli need
have has get got any there here from about doe all s available after before
bang sau khac di bay_gio
hon more tro_lai going
and or if as into onto over under was were been being done had she they our their his her its these those
whom whose whi shall might must not yes ani some each everi other such onli also just veri too most much mani few
then because while until during up down out off once please thank hi hello dear sir madam want wanted know
like make made still yet even ever whether
""".split())


def content_terms(text: str, lexicon: Lexicon) -> list[str]:
    """Folded, lexicon-named words of `text` in order, function words left out."""
    named = lexicon.read(text)
    return [term for term in named if term not in STOP_TERMS]


def features(terms: list[str]) -> list[str]:
    """Unigrams and neighbouring pairs."""
    return terms + [f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False)]


# Evaluative terms: how good, fast, complete or easy the thing asked about should be, not what it is. Two
# wordings of one question often put it differently ("sóng 4G ổn định" / "sóng 4G được cải thiện"), two
# different questions may put it alike ("… thiết bị hiện đại" of a clinic / of a school): they frame the question.
EVALUATIVE_TERMS = frozenset("""
on_dinh tot hieu_qua day_du hien_dai thuan_tien phuc_tap ro_rang chinh_xac kip_thoi thuong_xuyen manh mo_rong
tang_cuong phu_hop chat_luong nang_cap nhanh yeu cong_khai
""".split())

# Terms that frame a question rather than say what it asks about ("khi nào", "kế hoạch", "hỗ trợ"): two
# questions sharing them are not alike for it, and two differing in them do not ask different things.
FRAME_TERMS = EVALUATIVE_TERMS | frozenset("""
lien_he khi_nao ke_hoach ho_tro duoc huyen xa thanh_nien trung_tam su_dung giai_quyet bao_lau dang_ki thuc chinh sach
chinh_sach quy_dinh cach thi to_chuc bat_dau yeu_cau co_quan duong_link huong dan lien he thong tin viec van de
cai neu doi thanh so nhan muon biet
cap bao_nhieu dieu_kien lay dua nop gom huong_dan hoan_thanh tu_y cung_cap xet_duyet
""".split())

# Terms that reverse what is asked: one of them on one side only makes two questions differ, whatever else.
REVERSING_TERMS = frozenset({"huy", "giai_the", "tam_dung", "thu_hoi", "chuyen_nhuong"})

