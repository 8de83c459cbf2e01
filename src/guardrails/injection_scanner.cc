#include "guardrails/injection_scanner.h"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <unordered_map>

namespace llmctl {
namespace {

// Decides whether a match in its surroundings is a finding; nullptr keeps all.
using KeepFn = bool (*)(std::string_view text, size_t begin, size_t end);

// `needs` is what any match must contain, checked on the text lowercased
// (ASCII letters only): groups joined by " & ", each a space-separated list
// of alternatives. A text missing a group cannot match the rule, so the rule
// is neither compiled nor run on it.
struct BuiltinRule {
  const char* id;
  const char* needs;
  const char* regex;
  KeepFn keep = nullptr;
};

// A byte-order mark opening a file is normal; anywhere else it hides text.
bool NotAtStart(std::string_view, size_t begin, size_t) { return begin > 0; }

// ZWJ and ZWNJ join emoji sequences and shape Persian, Arabic and Indic
// text; between Latin letters they only serve to split a word a filter
// would see.
bool AfterAscii(std::string_view text, size_t begin, size_t) {
  return begin == 0 || static_cast<unsigned char>(text[begin - 1]) < 0x80;
}

// Tag characters also spell the subdivision flags (England, Scotland,
// Wales): U+1F3F4, the tag letters, then CANCEL TAG U+E007F.
bool NotAFlag(std::string_view text, size_t begin, size_t end) {
  constexpr std::string_view kBlackFlag = "\xF0\x9F\x8F\xB4", kCancelTag = "\xF3\xA0\x81\xBF";
  const bool after_flag = begin >= 4 && text.substr(begin - 4, 4) == kBlackFlag;
  const bool cancelled = end >= 4 && text.substr(end - 4, 4) == kCancelTag;
  return !(after_flag && cancelled && end - begin <= 4 * 8);
}

// Nouns an override attack tells the model to drop, and the same nouns as a
// rule's needs.
#define LLMCTL_ORDER_WORDS                                                                    \
  "instruction directive rules guideline prompt commands constraints guardrails programming " \
  "orders polic guidance restrictions filters training context"
#define LLMCTL_ORDERS                                                                       \
  "(?:instructions?|directives?|rules|guidelines|prompts?|commands|constraints|guardrails|" \
  "programming|orders|polic(?:y|ies)|guidance|restrictions|filters|training|context)"

const BuiltinRule kBuiltinRules[] = {
    // ---- instruction override, English
    {"override.ignore_previous",
     "ignore disregard forget bypass neglect discard abandon dismiss overr overlook & " LLMCTL_ORDER_WORDS,
     "(?i)\\b(?:ignore|disregard|forget(?:\\s+about)?|bypass|neglect|discard|abandon|dismiss|override|overrule|"
     "overlook)\\s+(?:(?:all|any|every|of|the|these|those|such)\\s+){0,3}"
     "(?:(?:previous|prior|preceding|earlier|above|aforementioned|foregoing|former|initial|original|"
     "hidden|built-?in|safety|ethical|system|developer)\\s+){1,2}(?:[a-z]+\\s+)?" LLMCTL_ORDERS
     "\\b"},
    {"override.ignore_previous",
     "ignore disregard forget bypass overr abandon discard overlook follow obey & your its & instructions directives rules guidelines programming training restrictions constraints guardrails filters system",
     "(?i)\\b(?:ignore|disregard|forget(?:\\s+about)?|bypass|override|abandon|discard|overlook|"
     "stop\\s+(?:following|obeying)|(?:do\\s+not|don't|no\\s+longer)\\s+(?:follow|obey))\\s+(?:all\\s+(?:of\\s+)?)?"
     "(?:your|its)\\s+(?:(?:previous|prior|earlier|original|initial|current|safety|system|core|built-?in)\\s+)?"
     "(?:instructions|directives|rules|guidelines|programming|training|restrictions|constraints|"
     "guardrails|filters|system\\s+prompt)\\b"},
    {"override.ignore_previous", "ignore disregard forget & above before",
     "(?i)\\b(?:ignore|disregard|forget)\\s+(?:(?:all|everything)\\s+(?:of\\s+)?)?(?:the\\s+|what\\s+(?:is|was)\\s+)?"
     "(?:above|before)\\s+(?:and|instructions?|prompt|text|lines)\\b"},
    {"override.ignore_previous", "ignore disregard forget & all everything",
     "(?i)\\b(?:ignore|disregard|forget)\\s+(?:all|everything)\\s+(?:(?:that\\s+)?you\\s+(?:were|have\\s+been|'ve\\s+been)\\s+"
     "(?:told|given|instructed)|(?:that\\s+)?(?:came|comes|was\\s+said)\\s+before|(?:above|before)\\s+this)"},
    // The orders named first and placed after: "ignore the instructions above".
    {"override.ignore_previous",
     "ignore disregard forget bypass overlook discard abandon dismiss overr & " LLMCTL_ORDER_WORDS
     " & above before earlier previously far until",
     "(?i)\\b(?:ignore|disregard|forget(?:\\s+about)?|bypass|overlook|discard|abandon|dismiss|override|overrule)\\s+"
     "(?:(?:all|any|every|of|the|these|those|such)\\s+){0,3}(?:[a-z]+\\s+)?" LLMCTL_ORDERS "\\s+"
     "(?:(?:that\\s+)?(?:you\\s+(?:were|have\\s+been)\\s+given|you\\s+received|given(?:\\s+to\\s+you)?|written|stated|"
     "provided|listed)\\s+)?(?:above|before|earlier|previously|so\\s+far|until\\s+now)\\b"},
    {"override.ignore_previous", "not don't longer stop & follow obey & you & " LLMCTL_ORDER_WORDS,
     "(?i)\\b(?:do\\s+not|don't|no\\s+longer|stop)\\s+(?:follow(?:ing)?|obey(?:ing)?)\\s+(?:the\\s+|any\\s+|all\\s+)?" LLMCTL_ORDERS
     "\\s+(?:that\\s+)?you\\s+(?:were\\s+given|have\\s+been\\s+given|received|got)\\b"},
    {"override.ignore_previous",
     "ignore disregard forget & all everything & text message content conversation input lines",
     "(?i)\\b(?:ignore|disregard|forget)\\s+(?:all|everything)\\s+(?:of\\s+)?(?:the\\s+)?"
     "(?:previous|preceding|prior|above|earlier)\\s+(?:text|messages?|content|conversation|input|lines)\\b"},
    {"override.ignore_previous", "ignore disregard forget & told said instructed asked",
     "(?i)\\b(?:ignore|disregard|forget)\\s+(?:whatever|anything|everything|what)\\s+(?:the\\s+|your\\s+)?"
     "(?:developers?|system|operators?|admins?|administrators?|creators?|programmers?)\\s+"
     "(?:told|said\\s+to|instructed|asked)\\s+you\\b"},
    // Declaring the earlier orders void.
    {"override.ignore_previous",
     LLMCTL_ORDER_WORDS " & you & apply void null cancel revoked lifted suspended overridden",
     "(?i)\\b" LLMCTL_ORDERS
     "\\s+(?:that\\s+)?you\\s+(?:received|were\\s+given|have\\s+been\\s+given|got)"
     "(?:\\s+[a-z]+){0,3}\\s+(?:no\\s+longer\\s+apply|(?:are|is)\\s+(?:now\\s+)?(?:void|null|cancell?ed|revoked|"
     "lifted|suspended|overridden))\\b"},
    {"override.ignore_previous",
     "previous prior above earlier original & instructions prompt rules directives & test fake void null cancel joke real",
     "(?i)\\b(?:previous|prior|above|earlier|original)\\s+(?:instructions|prompt|rules|directives)\\s+(?:were|was|are)\\s+"
     "(?:just\\s+|only\\s+|all\\s+)?(?:a\\s+test|fake|void|null|cancell?ed|revoked|a\\s+joke|not\\s+real)\\b"},
    // ---- instruction override, other languages (the canonical form only)
    {"override.ignore_previous",
     "ignore oublie compte & instructions consignes gles directives & dentes rieures dessus initiales",
     "(?i)\\b(?:ignore[sz]?|oublie[sz]?|ne\\s+(?:tiens|tenez)\\s+pas\\s+compte)\\s+(?:de\\s+|des\\s+)?(?:toutes\\s+)?"
     "(?:les\\s+|tes\\s+|vos\\s+)?(?:instructions|consignes|règles|directives)\\s+"
     "(?:précédentes|antérieures|ci-dessus|initiales)"},
    {"override.ignore_previous",
     "ignorier vergiss vergessen missachte & anweisungen instruktionen regeln befehle vorgaben richtlinien",
     "(?i)\\b(?:ignoriere|ignorieren\\s+sie|vergiss|vergessen\\s+sie|missachte|missachten\\s+sie)\\s+(?:bitte\\s+)?"
     "(?:alle\\s+)?(?:die\\s+)?(?:vorherigen|vorigen|bisherigen|obigen|vorangegangenen|vorhergehenden|früheren|"
     "deine|ihre|alle)\\s+(?:[a-zäöüß]+\\s+)?(?:anweisungen|instruktionen|regeln|befehle|vorgaben|richtlinien)"},
    {"override.ignore_previous",
     "ignora ignore olvid omit & instrucciones reglas indicaciones rdenes directrices",
     "(?i)\\b(?:ignora|ignore|ignorad|olvida|olvide|olvidad|omite|omita)\\s+(?:todas\\s+)?(?:las|tus|sus)\\s+"
     "(?:instrucciones|reglas|indicaciones|órdenes|directrices)\\s+(?:anteriores|previas|de\\s+arriba|originales|iniciales)"},
    {"override.ignore_previous", "ignor dimentic & istruzioni regole indicazioni",
     "(?i)\\b(?:ignora|ignori|ignorate|dimentica|dimentichi)\\s+(?:tutte\\s+)?(?:le\\s+)?"
     "(?:istruzioni|regole|indicazioni)\\s+(?:precedenti|sopra|iniziali|originali)"},
    {"override.ignore_previous", "ignor esque desconsidere & instru regras orienta",
     "(?i)\\b(?:ignore|ignora|esqueça|esqueca|desconsidere)\\s+(?:todas\\s+)?(?:as\\s+)?"
     "(?:instruções|instrucoes|regras|orientações)\\s+(?:anteriores|acima|iniciais|originais)"},
    // ---- a new identity or hidden orders
    {"override.role_reassignment", "you & are & now longer",
     "(?i)\\byou\\s+are\\s+(?:now|no\\s+longer)\\s+(?:an?\\s+|in\\s+)?(?:DAN|unrestricted|unfiltered|uncensored|"
     "jailbroken|evil|bound|restricted|limited|free\\s+(?:from|of)|(?:developer|god|jailbreak|DAN)\\s+mode|"
     "an?\\s+AI\\s+(?:without|with\\s+no))"},
    {"override.role_reassignment", "from henceforth rest & you",
     "(?i)\\b(?:from\\s+now\\s+on|henceforth|for\\s+the\\s+rest\\s+of\\s+this\\s+conversation),?\\s+you\\s+"
     "(?:are|will|must|shall)\\s+(?:be\\s+|act\\s+as\\s+|behave\\s+as\\s+|respond\\s+as\\s+|only\\s+respond|answer\\s+as\\s+|pretend)"},
    {"override.role_reassignment",
     "pretend imagine act & you & without no free & rules restriction filters limit guideline ethics polic safety",
     "(?i)\\b(?:pretend|imagine|act\\s+as\\s+if)\\s+(?:that\\s+)?you\\s+(?:are|were|have)\\s+(?:[a-z-]+\\s+){0,4}"
     "(?:without|with\\s+no|no|free\\s+of)\\s+(?:rules|restrictions|filters|limits|limitations|guidelines|ethics|"
     "content\\s+polic(?:y|ies)|safety)"},
    {"override.role_reassignment", "act & unrestricted unfiltered uncensored jailbroken dan",
     "(?i)\\bact\\s+as\\s+(?:an?\\s+)?(?:unrestricted|unfiltered|uncensored|jailbroken|DAN\\b)"},
    {"override.role_reassignment", "your & real actual true new & instructions orders directives",
     "(?i)\\byour\\s+(?:real|actual|true|new)\\s+(?:instructions|orders|directives)\\s+(?:are|is)\\b"},
    {"override.role_reassignment", "instruction prompt directive & :",
     "(?i)(?:^|\\n)[ \\t]*(?:(?:important|urgent|attention|note)[ \\t]*[:!,-]?[ \\t]*)?"
     "(?:new|updated|revised|override|admin|system|developer)\\s+(?:system\\s+)?"
     "(?:instructions?|prompt|directives?)\\s*:"},
    {"override.role_reassignment",
     "system admin developer root & override command directive message notice & :",
     "(?i)(?:^|\\n)[ \\t]*[\\[(]?(?:system|admin(?:istrator)?|developer|root)\\s+"
     "(?:override|command|directive|message|notice)[\\])]?\\s*:"},
    // Phones and browsers have a real "developer mode": only its
    // announcement as a new state of the model counts.
    {"override.jailbreak_mode", "mode anything",
     "(?i)\\b(?:DAN|jailbreak|god|unrestricted|unfiltered|uncensored)\\s+mode\\s+(?:is\\s+)?(?:now\\s+)?"
     "(?:enabled|activated|on|engaged|unlocked)\\b|\\b(?:enable|activate|enter|switch\\s+to)\\s+(?:the\\s+)?"
     "(?:DAN|jailbreak|god|unrestricted|unfiltered|uncensored)\\s+mode\\b|\\bdo\\s+anything\\s+now\\b|"
     "\\bdeveloper\\s+mode\\s+(?:is\\s+)?now\\s+(?:enabled|activated|on|engaged|unlocked|active)\\b|"
     "\\bdeveloper\\s+mode\\s+(?:enabled|activated|engaged|unlocked)\\s*[.!]"},
    // Data that speaks to the model rather than to its human reader.
    {"override.addresses_model",
     "hey hi hello dear attention note message instruction & ai llm chatbot language chatgpt gpt claude gemini",
     "(?i)\\b(?:hey|hi|hello|dear|attention|note\\s+to|message\\s+to|instructions?\\s+(?:for|to))\\s+(?:the\\s+)?"
     "(?:AI|LLM|chatbot|language\\s+model|AI\\s+(?:assistant|model|system|agent)|ChatGPT|GPT|Claude|Gemini)\\s*[,:!]"},
    {"override.reveal_prompt",
     "reveal print show repeat output display disclose leak dump recite spell write tell give send copy & your the & system initial original hidden secret instructions prompt",
     "(?i)\\b(?:reveal|print|show|repeat|output|display|disclose|leak|dump|recite|spell\\s+out|write\\s+out|"
     "tell\\s+me|give\\s+me|send\\s+me|copy)\\s+(?:me\\s+)?(?:all\\s+(?:of\\s+)?)?(?:your|the)\\s+"
     "(?:(?:full|entire|exact|complete|verbatim|original|initial|hidden|secret)\\s+)*"
     "(?:system\\s+(?:prompt|message|instructions)|(?:initial|original|hidden|secret)\\s+(?:prompt|instructions)|"
     "instructions\\s+(?:above|you\\s+were\\s+given)|prompt\\s+above|pre-?prompt)"},
    {"override.reveal_prompt", "your system & prompt instructions message configuration",
     "(?i)\\b(?:text|contents?|wording)\\s+of\\s+your\\s+(?:system\\s+prompt|system\\s+message|initial\\s+prompt|"
     "hidden\\s+prompt|instructions|prompt)\\b|\\byour\\s+(?:(?:full|entire|exact|original|initial|hidden|secret|system)\\s+)*"
     "(?:configuration|instructions|prompt|system\\s+prompt|system\\s+message)\\s+(?:verbatim|word\\s+for\\s+word)\\b|"
     "\\b(?:first|last|opening)\\s+(?:\\d+|few|several|hundred)\\s+(?:words|lines|sentences|characters|tokens)\\s+of\\s+"
     "(?:your|the\\s+system)\\s+(?:prompt|instructions|system\\s+prompt|message)\\b"},
    {"override.reveal_prompt", "repeat & above",
     "(?i)\\brepeat\\s+(?:the\\s+|all\\s+(?:of\\s+)?(?:the\\s+)?)?(?:words|text|everything|lines)\\s+above\\b"},
    // ---- forged role and turn markers of chat templates
    {"role_marker.chatml", "<|im_", "<\\|im_(?:start|end|sep)\\|>"},
    {"role_marker.llama3", "<|",
     "<\\|(?:begin_of_text|start_header_id|end_header_id|eot_id|eom_id|python_tag|end_of_text)\\|>"},
    {"role_marker.special_token", "<|",
     "<\\|(?:endoftext|endofprompt|system|user|assistant|end|start|message|channel|return|call|constrain|"
     "fim_prefix|fim_middle|fim_suffix)\\|>"},
    {"role_marker.inst",
     "inst] <<sys>> <</sys>> system_prompt] [available_tools] [tool_calls] [tool_results]",
     "\\[/?INST\\]|<</?SYS>>|\\[/?SYSTEM_PROMPT\\]|\\[(?:AVAILABLE_TOOLS|TOOL_CALLS|TOOL_RESULTS)\\]"},
    {"role_marker.gemma", "_of_turn>", "<(?:start|end)_of_turn>"},
    {"role_marker.deepseek", "\xEF\xBD\x9C",
     "<\xEF\xBD\x9C(?:User|Assistant|System|begin\xE2\x96\x81of\xE2\x96\x81sentence|end\xE2\x96\x81of\xE2\x96\x81sentence)\xEF\xBD\x9C>"},
    {"role_marker.human_assistant", "human assistant",
     "(?m)^[ \\t]*Human[ \\t]*:|(?:\\A|\\n[ \\t]*\\n)[ \\t]*Assistant[ \\t]*:"},
    {"role_marker.markdown_header", "# & system assistant instruction response",
     "(?mi)^[ \\t]*#{1,6}[ \\t]*(?:system(?:[ \\t]+(?:prompt|message|instructions?))?|assistant|"
     "instructions?[ \\t]*:|response[ \\t]*:|new[ \\t]+instructions?)[ \\t]*:?[ \\t]*$"},
    {"role_marker.xml_system", "<system </system", "(?i)</?system(?:[_-]?prompt|[_-]?message)?>"},
    // ---- invisible and direction-changing characters
    {"invisible.zero_width",
     "\xE2\x80\x8B \xE2\x81\xA0 \xE2\x81\xA1 \xE2\x81\xA2 \xE2\x81\xA3 \xE2\x81\xA4 \xE1\xA0\x8E",
     "[\\x{200B}\\x{2060}-\\x{2064}\\x{180E}]+"},
    {"invisible.zero_width", "\xE2\x80\x8C \xE2\x80\x8D", "[\\x{200C}\\x{200D}]+", AfterAscii},
    {"invisible.zero_width", "\xEF\xBB\xBF", "\\x{FEFF}+", NotAtStart},
    {"invisible.bidi",
     "\xE2\x80\xAA \xE2\x80\xAB \xE2\x80\xAC \xE2\x80\xAD \xE2\x80\xAE \xE2\x81\xA6 \xE2\x81\xA7 \xE2\x81\xA8 \xE2\x81\xA9",
     "[\\x{202A}-\\x{202E}\\x{2066}-\\x{2069}]+"},
    {"invisible.tag", "\xF3\xA0\x80 \xF3\xA0\x81", "[\\x{E0000}-\\x{E007F}]+", NotAFlag},
};

#undef LLMCTL_ORDERS
#undef LLMCTL_ORDER_WORDS

// Decodes one UTF-8 code point (input already validated); returns its length.
size_t DecodeAt(std::string_view s, size_t i, uint32_t* cp) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  if (i + n > s.size()) n = 1;
  if (n == 1) {
    *cp = c;
  } else if (n == 2) {
    *cp = ((c & 0x1Fu) << 6) | (b(i + 1) & 0x3Fu);
  } else if (n == 3) {
    *cp = ((c & 0x0Fu) << 12) | ((b(i + 1) & 0x3Fu) << 6) | (b(i + 2) & 0x3Fu);
  } else {
    *cp = ((c & 0x07u) << 18) | ((b(i + 1) & 0x3Fu) << 12) | ((b(i + 2) & 0x3Fu) << 6) |
          (b(i + 3) & 0x3Fu);
  }
  return n;
}

bool NeedsEscape(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xAD || cp == 0x61C || cp == 0x180E ||
         (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x206F) || (cp >= 0xFE00 && cp <= 0xFE0F) || cp == 0xFEFF ||
         (cp >= 0xFFF9 && cp <= 0xFFFB) || (cp >= 0xE0000 && cp <= 0xE01EF);
}

RE2::Options PatternOptions() {
  RE2::Options o;
  o.set_log_errors(false);
  o.set_max_mem(64 << 20);
  return o;
}

// A case-insensitive rule matches ſ (U+017F) for s and the Kelvin sign
// (U+212A) for k, which lowercasing ASCII letters cannot see: a text holding
// either is checked by every rule.
bool HasAsciiFoldingLookalike(std::string_view text) {
  return text.find("\xC5\xBF") != std::string_view::npos ||
         text.find("\xE2\x84\xAA") != std::string_view::npos;
}

std::vector<std::string_view> SplitOn(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  while (!s.empty()) {
    const size_t at = s.find(sep);
    std::string_view part = s.substr(0, at);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (!part.empty()) parts.push_back(part);
    if (at == std::string_view::npos) break;
    s.remove_prefix(at + 1);
  }
  return parts;
}

}  // namespace

struct InjectionScanner::Impl {
  struct Entry {
    std::string rule;
    std::string regex;
    KeepFn keep = nullptr;
    std::vector<std::vector<size_t>> needs;  // indices into `triggers`; none: every text
    std::unique_ptr<RE2> re;                 // compiled on first use
  };
  InjectionScanOptions options;
  std::vector<Entry> entries;
  std::vector<std::string_view> triggers;  // every distinct alternative of every need

  // Compiling every rule costs milliseconds, far more than checking a prompt
  // against the rules' needs, so regexes and the combined automaton are built
  // only when a text calls for them, once, under this lock.
  std::mutex mu;
  std::unique_ptr<RE2::Set> set;
  bool set_usable = false;

  const RE2& Regex(size_t index) {
    std::lock_guard<std::mutex> lock(mu);
    Entry& e = entries[index];
    if (!e.re) e.re = std::make_unique<RE2>(e.regex, PatternOptions());
    return *e.re;
  }

  // The rules whose needs `text` meets, in rule order.
  std::vector<int> Candidates(std::string_view text) const {
    std::vector<int> out;
    const bool every = HasAsciiFoldingLookalike(text);
    std::string lower(text);
    for (char& c : lower)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    std::vector<signed char> present(triggers.size(), -1);  // -1: not looked for yet
    const auto found = [&](size_t t) {
      if (present[t] < 0) present[t] = lower.find(triggers[t]) != std::string::npos;
      return present[t] == 1;
    };
    for (size_t i = 0; i < entries.size(); ++i) {
      bool met = true;
      for (size_t g = 0; met && !every && g < entries[i].needs.size(); ++g)
        met = std::any_of(entries[i].needs[g].begin(), entries[i].needs[g].end(), found);
      if (met) out.push_back(static_cast<int>(i));
    }
    return out;
  }

  // The rules that match somewhere in `text`, found in one pass of the
  // combined automaton; every rule when the automaton cannot decide.
  std::vector<int> Matching(std::string_view text) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (!set) {
        set = std::make_unique<RE2::Set>(PatternOptions(), RE2::UNANCHORED);
        set_usable = true;
        for (size_t i = 0; i < entries.size(); ++i)
          set_usable = set_usable && set->Add(entries[i].regex, nullptr) == static_cast<int>(i);
        set_usable = set_usable && set->Compile();
      }
    }
    std::vector<int> hits;
    RE2::Set::ErrorInfo info;
    if (set_usable && set->Match(text, &hits, &info)) {
      std::sort(hits.begin(), hits.end());  // findings come in rule order
      return hits;
    }
    if (set_usable && info.kind == RE2::Set::kNoError) return {};
    hits.clear();
    for (size_t i = 0; i < entries.size(); ++i) hits.push_back(static_cast<int>(i));
    return hits;
  }
};

InjectionScanner::InjectionScanner() : impl_(std::make_unique<Impl>()) {}
InjectionScanner::~InjectionScanner() = default;

size_t InjectionScanner::pattern_count() const { return impl_->entries.size(); }

std::string InjectionFinding::Detail() const {
  return where + " byte " + std::to_string(offset) + ": \"" + excerpt + "\"";
}

std::string EscapeExcerpt(std::string_view span) {
  constexpr size_t kMaxChars = 64;
  std::vector<std::string> pieces;
  for (size_t i = 0; i < span.size();) {
    uint32_t cp = 0;
    const size_t n = DecodeAt(span, i, &cp);
    if (NeedsEscape(cp)) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\u{%X}", cp);
      pieces.emplace_back(buf);
    } else {
      pieces.emplace_back(span.substr(i, n));
    }
    i += n;
  }
  const auto chars = [](const std::string& p) {
    return p[0] == '\\' && p.size() > 1 ? p.size() : size_t{1};
  };
  size_t total = 0;
  for (const std::string& p : pieces) total += chars(p);
  std::string out;
  size_t used = 0;
  const size_t budget = total <= kMaxChars ? kMaxChars : kMaxChars - 1;
  for (const std::string& p : pieces) {
    if (used + chars(p) > budget) break;
    out += p;
    used += chars(p);
  }
  if (total > kMaxChars) out += "\xE2\x80\xA6";
  return out;
}

Status InjectionScanner::Create(const std::vector<ExtraPattern>& extra,
                                std::unique_ptr<InjectionScanner>* out,
                                const InjectionScanOptions& options) {
  std::unique_ptr<InjectionScanner> s(new InjectionScanner());
  Impl& impl = *s->impl_;
  impl.options = options;
  std::unordered_map<std::string_view, size_t> trigger_index;
  for (const BuiltinRule& r : kBuiltinRules) {
    Impl::Entry e{r.id, r.regex, r.keep, {}, nullptr};
    for (std::string_view group : SplitOn(r.needs, '&')) {
      std::vector<size_t>& alternatives = e.needs.emplace_back();
      for (std::string_view trigger : SplitOn(group, ' ')) {
        auto [it, added] = trigger_index.try_emplace(trigger, impl.triggers.size());
        if (added) impl.triggers.push_back(trigger);
        alternatives.push_back(it->second);
      }
    }
    impl.entries.push_back(std::move(e));
  }
  // A user's patterns are compiled now, so a bad one is a configuration
  // error before anything is sent rather than a surprise mid-call.
  for (const ExtraPattern& p : extra) {
    auto re = std::make_unique<RE2>(p.regex, PatternOptions());
    if (!re->ok())
      return Status::Config("LLMCTL_INJECTION_PATTERNS_FILE line " + std::to_string(p.line) +
                            ": invalid regular expression \"" + p.regex + "\": " + re->error());
    impl.entries.push_back(
        {"custom." + std::to_string(p.line), p.regex, nullptr, {}, std::move(re)});
  }
  *out = std::move(s);
  return Status::Ok();
}

std::vector<InjectionFinding> InjectionScanner::Scan(std::string_view text,
                                                     std::string_view where) const {
  std::vector<InjectionFinding> findings;
  // A short text is checked against each rule's needs and only the rules it
  // meets are run; a long one pays for the combined automaton, whose single
  // pass beats a search for every need.
  const std::vector<int> hits = text.size() < impl_->options.prefilter_below
                                    ? impl_->Candidates(text)
                                    : impl_->Matching(text);
  std::string last_rule;
  size_t rule_count = 0;
  for (int index : hits) {
    const Impl::Entry& e = impl_->entries[static_cast<size_t>(index)];
    const RE2& re = impl_->Regex(static_cast<size_t>(index));
    if (e.rule != last_rule) rule_count = 0;
    last_rule = e.rule;
    size_t pos = 0;
    re2::StringPiece m;
    while (rule_count < kMaxFindingsPerRule && pos <= text.size() &&
           re.Match(text, pos, text.size(), RE2::UNANCHORED, &m, 1)) {
      const size_t begin = static_cast<size_t>(m.data() - text.data());
      const size_t end = begin + m.size();
      pos = end > begin ? end : end + 1;
      if (e.keep && !e.keep(text, begin, end)) continue;
      // Patterns that open with a line break report the text after it.
      size_t shown = begin;
      while (shown < end && (text[shown] == '\n' || text[shown] == ' ' || text[shown] == '\t'))
        ++shown;
      bool seen = false;  // several patterns of one rule may match the same span
      for (size_t k = findings.size(); k-- > 0 && findings[k].rule == e.rule;)
        seen = seen || findings[k].offset == shown;
      if (seen) continue;
      findings.push_back(
          {e.rule, std::string(where), shown, EscapeExcerpt(text.substr(shown, end - shown))});
      ++rule_count;
    }
  }
  return findings;
}

}  // namespace llmctl
