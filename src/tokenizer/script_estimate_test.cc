#include "tokenizer/script_estimate.h"

#include <doctest/doctest.h>

#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tokenizer/encoding.h"

using namespace llmctl;

namespace {

// A short sample per script (written for this test), and text shaped like
// code, tables and chat. The rates were calibrated on a much larger corpus
// (script_estimate.cc); these keep that property under test.
const std::vector<std::pair<std::string, std::string>> kSamples = {
    {"English",
     "The committee reviewed the proposal on Tuesday and asked for a revised budget. "
     "Nobody expected the discussion to last three hours, but it did, and everyone left tired."},
    {"French",
     "Le comité a examiné la proposition mardi et a demandé un budget révisé. Personne ne "
     "s'attendait à ce que la discussion dure trois heures."},
    {"German",
     "Der Ausschuss prüfte den Vorschlag am Dienstag und verlangte einen überarbeiteten "
     "Haushaltsplan. Niemand hatte erwartet, dass die Besprechung drei Stunden dauern würde."},
    {"Spanish",
     "El comité revisó la propuesta el martes y pidió un presupuesto revisado. Nadie esperaba "
     "que la discusión durara tres horas."},
    {"Vietnamese",
     "Ủy ban đã xem xét đề xuất vào thứ Ba và yêu cầu một ngân sách sửa đổi. Không ai nghĩ "
     "rằng cuộc thảo luận sẽ kéo dài ba tiếng."},
    {"Polish",
     "Komisja rozpatrzyła wniosek we wtorek i poprosiła o poprawiony budżet. Nikt nie "
     "spodziewał się, że dyskusja potrwa trzy godziny."},
    {"Turkish",
     "Komite teklifi salı günü inceledi ve gözden geçirilmiş bir bütçe istedi. Tartışmanın üç "
     "saat süreceğini kimse beklemiyordu."},
    {"Russian",
     "Комитет рассмотрел предложение во вторник и попросил пересмотренный бюджет. Никто не "
     "ожидал, что обсуждение продлится три часа, но так и вышло."},
    {"Ukrainian",
     "Комітет розглянув пропозицію у вівторок і попросив переглянутий бюджет. Ніхто не "
     "очікував, що обговорення триватиме три години."},
    {"Greek",
     "Η επιτροπή εξέτασε την πρόταση την Τρίτη και ζήτησε αναθεωρημένο προϋπολογισμό. Κανείς "
     "δεν περίμενε ότι η συζήτηση θα διαρκούσε τρεις ώρες."},
    {"Arabic",
     "راجعت اللجنة الاقتراح يوم الثلاثاء وطلبت ميزانية معدلة. لم يتوقع أحد أن تستمر المناقشة "
     "ثلاث ساعات، لكنها استمرت."},
    {"Persian",
     "کمیته پیشنهاد را روز سه‌شنبه بررسی کرد و بودجه‌ای اصلاح‌شده خواست. هیچ‌کس انتظار نداشت "
     "بحث سه ساعت طول بکشد."},
    {"Hebrew",
     "הוועדה בחנה את ההצעה ביום שלישי וביקשה תקציב מתוקן. איש לא ציפה שהדיון יימשך שלוש שעות."},
    {"Hindi",
     "समिति ने मंगलवार को प्रस्ताव की समीक्षा की और संशोधित बजट माँगा। किसी को उम्मीद नहीं थी कि "
     "चर्चा तीन घंटे चलेगी।"},
    {"Bengali",
     "কমিটি মঙ্গলবার প্রস্তাবটি পর্যালোচনা করে এবং একটি সংশোধিত বাজেট চেয়েছে। কেউ আশা করেনি যে "
     "আলোচনা তিন ঘণ্টা চলবে।"},
    {"Tamil",
     "குழு செவ்வாய்க்கிழமை முன்மொழிவை மதிப்பாய்வு செய்து திருத்தப்பட்ட வரவுசெலவுத் திட்டத்தைக் "
     "கேட்டது."},
    {"Thai",
     "คณะกรรมการได้พิจารณาข้อเสนอในวันอังคารและขอให้มีงบประมาณที่แก้ไขแล้ว "
     "ไม่มีใครคาดคิดว่าการหารือจะใช้เวลาสามชั่วโมง"},
    {"Chinese",
     "委员会在星期二审查了该提案，并要求提交修订后的预算。没有人想到讨论会持续三个小时，但事实就是如此。"},
    {"Japanese",
     "委員会は火曜日に提案を検討し、修正された予算を求めました。議論が三時間も続くとは誰も思っていませんでした。"},
    {"Korean",
     "위원회는 화요일에 제안서를 검토하고 수정된 예산을 요청했습니다. 토론이 세 시간 동안 계속될 줄은 아무도 "
     "예상하지 못했습니다."},
    {"Armenian", "Հանձնաժողովը երեքշաբթի օրը քննարկեց առաջարկը և խնդրեց վերանայված բյուջե։"},
    {"Georgian", "კომიტეტმა სამშაბათს განიხილა წინადადება და მოითხოვა შესწორებული ბიუჯეტი."},
    {"Amharic", "ኮሚቴው ማክሰኞ ሃሳቡን ገምግሞ የተሻሻለ በጀት ጠየቀ።"},
    {"C++",
     "template <typename T>\nstd::vector<T> Filter(const std::vector<T>& in, bool (*keep)(const T&)) {\n"
     "  std::vector<T> out;\n  for (const T& x : in)\n    if (keep(x)) out.push_back(x);\n  return out;\n}\n"},
    {"Python",
     "def parse(lines):\n    result = {}\n    for i, line in enumerate(lines):\n        if not line.strip():\n"
     "            continue\n        key, _, value = line.partition('=')\n        result[key.strip()] = "
     "value.strip()\n    return result\n"},
    {"JSON",
     "{\"id\": 18446744073709551615, \"items\": [{\"sku\": \"A-1001\", \"qty\": 3, \"price\": 19.99}, "
     "{\"sku\": \"B-2002\", \"qty\": 12, \"price\": 0.5}], \"ok\": true, \"note\": null}"},
    {"YAML, deep indentation",
     "root:\n        child:\n                grandchild:\n                        - a\n"
     "                        - b\n\n\n\n                leaf: 1\n"},
    {"numbers",
     "2026-12-01 14:03:59.123 4815162342 3.14159265358979 1,234,567.89 0xDEADBEEF 192.168.100.254"},
    {"emoji",
     "Great job 🎉🎉 👨‍👩‍👧‍👦 🏳️‍🌈 👍🏽 🇯🇵🇫🇷 ❤️‍🔥 🧑🏻‍💻 ✨"},
    {"symbols", "→ ← ↑ ↓ ∑ ∫ √ ∞ ≠ ≤ ≥ © ® ™ « » „ “ ” ‘ ’ — – … • · ° ± × ÷ ¶ § † ‡"},
    {"mixed", "Hello 世界! Привет мир. مرحبا 123 नमस्ते 😀 code_point = 0x1F600;"},
};

}  // namespace

TEST_CASE("the script-aware estimate is at least o200k_base's count for every script") {
  for (const auto& sample : kSamples) {
    const auto& name = sample.first;  // named, since INFO captures it in a lambda
    const auto& text = sample.second;
    const int64_t exact = CountTokens(Encoding::kO200kBase, text);
    const int64_t estimate = EstimateScriptTokens(text);
    INFO(name << ": estimate " << estimate << ", exact " << exact);
    CHECK(estimate >= exact);
    // Conservative, not wild: within 3× of the exact count.
    CHECK(estimate <= 3 * exact + 3);
  }
}

TEST_CASE("the estimate is at least 1 for any text and 0 for none") {
  CHECK(EstimateScriptTokens("") == 0);
  CHECK(EstimateScriptTokens("a") == 1);
  CHECK(EstimateScriptTokens(" ") == 1);
  CHECK(EstimateScriptTokens("\xff\xfe") >= 1);
}

TEST_CASE("CJK text is estimated at about a token per character, not a quarter") {
  std::string han;
  for (int i = 0; i < 400; ++i) han += "\xE6\xBC\xA2\xE5\xAD\x97";  // 漢字
  CHECK(EstimateScriptTokens(han) >= 800);
}
