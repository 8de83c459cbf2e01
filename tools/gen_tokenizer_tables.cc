// Build-time generator: turns the tiktoken rank files and the Unicode
// Character Database into the binary tables llmctl embeds (layout in
// src/tokenizer/table_format.h), and writes the source file that embeds
// them. Run by CMake; never shipped.
//
//   gen_tokenizer_tables OUT_DIR cl100k_base.tiktoken o200k_base.tiktoken
//                        UnicodeData.txt PropList.txt Scripts.txt
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tokenizer/table_format.h"

namespace fmt = llmctl::tokenizer_format;

namespace {

[[noreturn]] void Fail(const std::string& why) {
  std::cerr << "gen_tokenizer_tables: " << why << "\n";
  std::exit(1);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  if (!out) Fail("cannot write " + path);
}

std::string Base64Decode(const std::string& in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=') break;
    int v = value(c);
    if (v < 0) Fail("bad base64 in rank file: " + in);
    acc = acc << 6 | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

// "BASE64 RANK" per line; the rank is the token id.
std::string BuildRankTable(const std::string& path) {
  std::istringstream lines(ReadFile(path));
  std::vector<std::pair<std::string, uint32_t>> tokens;
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    size_t sp = line.find(' ');
    if (sp == std::string::npos) Fail(path + ": malformed line: " + line);
    std::string bytes = Base64Decode(line.substr(0, sp));
    uint32_t rank = static_cast<uint32_t>(std::stoul(line.substr(sp + 1)));
    if (bytes.empty() || bytes.size() > 0xff || rank > 0x3ffff)
      Fail(path + ": token out of range: " + line);
    tokens.emplace_back(std::move(bytes), rank);
  }
  uint32_t slots = 1;
  while (slots < tokens.size() * 2) slots <<= 1;
  // Slots first, so each token's group is known before its bytes are placed.
  std::vector<int64_t> owner(slots, -1);
  std::vector<uint64_t> hashes(tokens.size());
  for (size_t t = 0; t < tokens.size(); ++t) {
    const std::string& bytes = tokens[t].first;
    hashes[t] = fmt::HashBytes(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
    uint32_t i = static_cast<uint32_t>(hashes[t]) & (slots - 1);
    while (owner[i] >= 0) i = (i + 1) & (slots - 1);
    owner[i] = static_cast<int64_t>(t);
  }
  uint32_t shift = fmt::kGroupShift;
  while ((uint32_t{1} << shift) > slots) --shift;
  const uint32_t group_slots = uint32_t{1} << shift;
  const uint32_t groups = slots >> shift;
  std::vector<std::string> pools(groups);
  std::vector<uint64_t> offsets(slots, 0);  // of the bytes within their group's pool
  for (uint32_t i = 0; i < slots; ++i) {
    if (owner[i] < 0) continue;
    std::string& pool = pools[i >> shift];
    offsets[i] = pool.size();
    pool += tokens[static_cast<size_t>(owner[i])].first;
  }
  size_t largest_pool = 0;
  for (const std::string& pool : pools) largest_pool = std::max(largest_pool, pool.size());
  const uint64_t slot_bytes = uint64_t{group_slots} * sizeof(uint64_t);
  const uint64_t stride = (slot_bytes + largest_pool + 7) / 8 * 8;
  if (stride * groups > 0xffffff) Fail(path + ": table too large for 24-bit offsets");
  std::string out;
  fmt::RankTableHeader header{};
  std::memcpy(header.magic, fmt::kRankMagic, sizeof header.magic);
  header.slot_count = slots;
  header.token_count = static_cast<uint32_t>(tokens.size());
  header.group_shift = shift;
  header.group_stride = static_cast<uint32_t>(stride);
  out.append(reinterpret_cast<const char*>(&header), sizeof header);
  for (uint32_t g = 0; g < groups; ++g) {
    const uint64_t bytes_at = fmt::GroupBytesPosition(g, shift, stride);
    for (uint32_t j = 0; j < group_slots; ++j) {
      const uint32_t i = (g << shift) + j;
      uint64_t slot = 0;
      if (owner[i] >= 0) {
        const auto t = static_cast<size_t>(owner[i]);
        slot = fmt::MakeSlot(tokens[t].first.size(), bytes_at + offsets[i], tokens[t].second,
                             hashes[t]);
      }
      out.append(reinterpret_cast<const char*>(&slot), sizeof slot);
    }
    out += pools[g];
    out.append(stride - slot_bytes - pools[g].size(), '\0');
  }
  return out;
}

// Calls f(first, last, fields) for each data line of a UCD file; fields are
// the ';'-separated columns with comments removed.
template <typename F>
void ForEachUcdLine(const std::string& path, F f) {
  std::istringstream lines(ReadFile(path));
  std::string line;
  while (std::getline(lines, line)) {
    if (size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    if (line.find(';') == std::string::npos) continue;
    std::vector<std::string> fields;
    std::string field;
    std::istringstream cols(line);
    while (std::getline(cols, field, ';')) {
      size_t b = field.find_first_not_of(' ');
      size_t e = field.find_last_not_of(' ');
      fields.push_back(b == std::string::npos ? "" : field.substr(b, e - b + 1));
    }
    uint32_t first, last;
    if (size_t dots = fields[0].find(".."); dots != std::string::npos) {
      first = std::stoul(fields[0].substr(0, dots), nullptr, 16);
      last = std::stoul(fields[0].substr(dots + 2), nullptr, 16);
    } else {
      first = last = std::stoul(fields[0], nullptr, 16);
    }
    f(first, last, fields);
  }
}

uint8_t ClassOfCategory(const std::string& gc) {
  if (gc == "Lu" || gc == "Lt") return fmt::kUpper;
  if (gc == "Ll") return fmt::kLower;
  if (gc == "Lm" || gc == "Lo") return fmt::kLetterBoth;
  if (gc[0] == 'M') return fmt::kMark;
  if (gc[0] == 'N') return fmt::kNumber;
  return fmt::kOther;
}

uint8_t GroupOfScript(const std::string& s) {
  static const std::map<std::string, uint8_t> groups = {
      {"Common", fmt::kScriptCommon},
      {"Latin", fmt::kScriptLatin},
      {"Cyrillic", fmt::kScriptCyrillic},
      {"Greek", fmt::kScriptGreek},
      {"Armenian", fmt::kScriptArmenianGeorgian},
      {"Georgian", fmt::kScriptArmenianGeorgian},
      {"Hebrew", fmt::kScriptHebrew},
      {"Arabic", fmt::kScriptArabic},
      {"Syriac", fmt::kScriptArabic},
      {"Thaana", fmt::kScriptArabic},
      {"Devanagari", fmt::kScriptIndic},
      {"Bengali", fmt::kScriptIndic},
      {"Gurmukhi", fmt::kScriptIndic},
      {"Gujarati", fmt::kScriptIndic},
      {"Oriya", fmt::kScriptIndic},
      {"Tamil", fmt::kScriptIndic},
      {"Telugu", fmt::kScriptIndic},
      {"Kannada", fmt::kScriptIndic},
      {"Malayalam", fmt::kScriptIndic},
      {"Sinhala", fmt::kScriptIndic},
      {"Thai", fmt::kScriptThaiLao},
      {"Lao", fmt::kScriptThaiLao},
      {"Han", fmt::kScriptHan},
      {"Hiragana", fmt::kScriptKana},
      {"Katakana", fmt::kScriptKana},
      {"Hangul", fmt::kScriptHangul},
      {"Inherited", fmt::kScriptInherited},
  };
  auto it = groups.find(s);
  return it == groups.end() ? static_cast<uint8_t>(fmt::kScriptOther) : it->second;
}

std::string BuildCharTable(const std::string& unicode_data, const std::string& prop_list,
                           const std::string& scripts) {
  // Unassigned code points are kOther in script group Other (Unknown).
  std::vector<uint8_t> cls(0x110000, fmt::kOther);
  std::vector<uint8_t> grp(0x110000, fmt::kScriptOther);
  uint32_t range_first = 0;
  ForEachUcdLine(unicode_data, [&](uint32_t cp, uint32_t, const std::vector<std::string>& f) {
    // Large blocks (CJK, Hangul…) are given as a <…, First> / <…, Last> pair.
    if (f[1].find(", First>") != std::string::npos) {
      range_first = cp;
      return;
    }
    uint32_t first = f[1].find(", Last>") != std::string::npos ? range_first : cp;
    for (uint32_t c = first; c <= cp; ++c) cls[c] = ClassOfCategory(f[2]);
  });
  ForEachUcdLine(prop_list, [&](uint32_t first, uint32_t last, const std::vector<std::string>& f) {
    if (f[1] == "White_Space")
      for (uint32_t c = first; c <= last; ++c) cls[c] = fmt::kSpace;
  });
  ForEachUcdLine(scripts, [&](uint32_t first, uint32_t last, const std::vector<std::string>& f) {
    for (uint32_t c = first; c <= last; ++c) grp[c] = GroupOfScript(f[1]);
  });
  std::vector<uint16_t> stage1(fmt::kStage1Entries);
  std::string blocks;
  std::map<std::string, uint16_t> seen;
  for (uint32_t b = 0; b < fmt::kStage1Entries; ++b) {
    std::string block(256, '\0');
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = b << 8 | i;
      block[i] = static_cast<char>(cls[c] | grp[c] << 3);
    }
    auto [it, inserted] = seen.emplace(block, static_cast<uint16_t>(seen.size()));
    if (inserted) blocks += block;
    stage1[b] = it->second;
  }
  std::string out(reinterpret_cast<const char*>(stage1.data()), stage1.size() * sizeof(uint16_t));
  return out + blocks;
}

// FNV-1a: only to make the embedding source change whenever a table does,
// so a compiler cache keyed on the source never serves a stale object.
uint64_t Fingerprint(const std::string& data) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : data) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) Fail("usage: OUT_DIR CL100K O200K UnicodeData.txt PropList.txt Scripts.txt");
  const std::string dir = argv[1];
  struct Table {
    const char* symbol;
    std::string file;
    std::string data;
  };
  std::vector<Table> tables = {
      {"llmctl_cl100k_base", "cl100k_base.bin", BuildRankTable(argv[2])},
      {"llmctl_o200k_base", "o200k_base.bin", BuildRankTable(argv[3])},
      {"llmctl_unicode_classes", "unicode_classes.bin", BuildCharTable(argv[4], argv[5], argv[6])},
  };
  std::string src =
      "// Generated by tools/gen_tokenizer_tables.cc; do not edit.\n"
      "// The tables are assembled into read-only data straight from the\n"
      "// generated files: a C++ array literal of this size compiles slowly.\n";
  // Each table starts on a 64 KiB boundary, the span the kernel maps around
  // a page fault: which pages a lookup brings in (and the resident size of
  // a call) then no longer shifts with the size of the data linked before.
  for (const Table& t : tables) {
    WriteFile(dir + "/" + t.file, t.data);
    char fp[32];
    std::snprintf(fp, sizeof fp, "%016llx", static_cast<unsigned long long>(Fingerprint(t.data)));
    src += "// " + t.file + " fingerprint " + fp + "\n";
    src += "__asm__(\".section .rodata." + std::string(t.symbol) + ",\\\"a\\\"\\n\"\n";
    src +=
        "        \".balign 65536\\n.globl " + std::string(t.symbol) + "\\n" + t.symbol + ":\\n\"\n";
    src += "        \".incbin \\\"" + dir + "/" + t.file + "\\\"\\n\"\n";
    src += "        \".globl " + std::string(t.symbol) + "_end\\n" + t.symbol + "_end:\\n\"\n";
    src += "        \".previous\\n\");\n";
  }
  WriteFile(dir + "/tokenizer_tables.cc", src);
  return 0;
}
