#include "eval/junit.h"

#include <algorithm>
#include <cstdio>

#include "util/time_format.h"

namespace llmctl {
namespace {

constexpr const char* kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence at s[i] and its code point, or 0.
size_t DecodeUtf8(const std::string& s, size_t i, uint32_t* cp) {
  const unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = 0;
  uint32_t v = 0;
  if (c < 0x80) return *cp = c, 1;
  if ((c & 0xE0) == 0xC0) n = 2, v = c & 0x1F;
  else if ((c & 0xF0) == 0xE0) n = 3, v = c & 0x0F;
  else if ((c & 0xF8) == 0xF0) n = 4, v = c & 0x07;
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    v = (v << 6) | (cc & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid.
  if ((n == 2 && v < 0x80) || (n == 3 && v < 0x800) || (n == 4 && v < 0x10000) || v > 0x10FFFF ||
      (v >= 0xD800 && v <= 0xDFFF))
    return 0;
  *cp = v;
  return n;
}

std::string Seconds(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", ms / 1000.0);
  return buf;
}

std::string TestName(const CaseResult& r, int repeat) {
  if (repeat <= 1) return r.case_id;
  return r.case_id + " [repeat " + std::to_string(r.repeat) + "/" + std::to_string(repeat) + "]";
}

}  // namespace

std::string XmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    const size_t n = DecodeUtf8(text, i, &cp);
    if (n == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    switch (cp) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      // Newlines and tabs survive inside attributes only as references.
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      case '\t': out += "&#9;"; break;
      default:
        if (cp < 0x20 || cp == 0xFFFE || cp == 0xFFFF) out += kReplacement;
        else out.append(text, i, n);
    }
    i += n;
  }
  return out;
}

namespace {

std::string Counts(const std::vector<const CaseResult*>& results, double wall_seconds) {
  size_t failures = 0, errors = 0, skipped = 0;
  for (const CaseResult* r : results) {
    if (r->status == CaseStatus::kFailed) ++failures;
    if (r->status == CaseStatus::kError) ++errors;
    if (r->status == CaseStatus::kSkipped) ++skipped;
  }
  return "tests=\"" + std::to_string(results.size()) + "\" failures=\"" + std::to_string(failures) +
         "\" errors=\"" + std::to_string(errors) + "\" skipped=\"" + std::to_string(skipped) +
         "\" time=\"" + Seconds(wall_seconds * 1000) + "\"";
}

void WriteCase(const CaseResult& r, const std::string& classname, int repeat, std::ostream& out) {
  out << "    <testcase classname=\"" << classname << "\" name=\"" << XmlEscape(TestName(r, repeat))
      << "\" time=\"" << Seconds(r.ran ? r.record.latency_ms : 0) << "\"";
  if (r.status == CaseStatus::kPassed) {
    out << "/>\n";
    return;
  }
  out << ">\n";
  if (r.status == CaseStatus::kFailed) {
    std::string body;
    std::string first_type;
    for (const AssertionOutcome& a : r.assertions) {
      if (a.passed) continue;
      if (first_type.empty()) first_type = a.type;
      body += a.type + ": " + a.message + "\n";
    }
    out << "      <failure message=\"" << XmlEscape(r.message) << "\" type=\""
        << XmlEscape(first_type) << "\">" << XmlEscape(body) << "</failure>\n";
  } else if (r.status == CaseStatus::kError) {
    const std::string type = r.ran && r.record.error_type ? *r.record.error_type : "error";
    out << "      <error message=\"" << XmlEscape(r.message) << "\" type=\"" << XmlEscape(type)
        << "\"/>\n";
  } else {
    out << "      <skipped message=\"" << XmlEscape(r.message) << "\"/>\n";
  }
  if (r.ran && !r.record.request_id.empty())
    out << "      <system-out>request_id " << XmlEscape(r.record.request_id) << "</system-out>\n";
  out << "    </testcase>\n";
}

}  // namespace

void WriteJUnit(const JUnitRun& run, const std::vector<CaseResult>& results, std::ostream& out) {
  // One testsuite per model under test, in the order they first appear.
  std::vector<std::string> models;
  std::vector<std::vector<const CaseResult*>> by_model;
  std::vector<const CaseResult*> all;
  for (const CaseResult& r : results) {
    all.push_back(&r);
    auto it = std::find(models.begin(), models.end(), r.model);
    if (it == models.end()) {
      models.push_back(r.model);
      by_model.emplace_back();
      it = models.end() - 1;
    }
    by_model[it - models.begin()].push_back(&r);
  }
  // JUnit has no millisecond timestamps; drop the ".123Z" part.
  const std::string ts = FormatIsoUtcMs(run.started_ms).substr(0, 19);
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"llmctl eval\" " << Counts(all, run.wall_seconds) << ">\n";
  for (size_t m = 0; m < models.size(); ++m) {
    const std::string name =
        XmlEscape(models[m].empty() ? run.suite_name : run.suite_name + " [" + models[m] + "]");
    out << "  <testsuite name=\"" << name << "\" " << Counts(by_model[m], run.wall_seconds)
        << " timestamp=\"" << ts << "\">\n";
    out << "    <properties>\n";
    out << "      <property name=\"run_id\" value=\"" << XmlEscape(run.run_id) << "\"/>\n";
    if (!models[m].empty())
      out << "      <property name=\"model\" value=\"" << XmlEscape(models[m]) << "\"/>\n";
    out << "    </properties>\n";
    for (const CaseResult* r : by_model[m]) WriteCase(*r, name, run.repeat, out);
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
}

}  // namespace llmctl
