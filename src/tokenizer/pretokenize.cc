#include "tokenizer/pretokenize.h"

#include <cstdint>

#include "tokenizer/tables.h"

namespace llmctl {
namespace {

using namespace tokenizer_format;

struct Char {
  uint32_t cp;
  uint8_t cls;  // CharClass
  uint8_t len;  // bytes; 0 at the end of the text
};

class Scanner {
 public:
  explicit Scanner(std::string_view text)
      : s_(reinterpret_cast<const unsigned char*>(text.data())), n_(text.size()) {}

  size_t size() const { return n_; }

  Char At(size_t i) const {
    if (i >= n_) return {0, kOther, 0};
    const unsigned char b = s_[i];
    if (b < 0x80) return {b, kAscii[b], 1};
    uint32_t cp;
    uint8_t len;
    if (b < 0xe0) {
      cp = (b & 0x1fu) << 6 | (s_[i + 1] & 0x3fu);
      len = 2;
    } else if (b < 0xf0) {
      cp = (b & 0x0fu) << 12 | (s_[i + 1] & 0x3fu) << 6 | (s_[i + 2] & 0x3fu);
      len = 3;
    } else {
      cp = (b & 0x07u) << 18 | (s_[i + 1] & 0x3fu) << 12 | (s_[i + 2] & 0x3fu) << 6 |
           (s_[i + 3] & 0x3fu);
      len = 4;
    }
    return {cp, ClassOf(CharInfo(cp)), len};
  }

  // Past a run of characters satisfying pred, starting at i.
  template <typename P>
  size_t Skip(size_t i, P pred) const {
    for (Char c = At(i); c.len && pred(c); c = At(i)) i += c.len;
    return i;
  }

  // Past (?i:'s|'t|'re|'ve|'m|'ll|'d) at i, or i when there is none. Under
  // Unicode case folding 's' also matches U+017F LATIN SMALL LETTER LONG S.
  size_t Contraction(size_t i) const {
    if (i >= n_ || s_[i] != '\'') return i;
    Char a = At(i + 1);
    uint32_t x = a.cp | 0x20;
    if (a.cp == 0x17f || (a.cp < 0x80 && (x == 's' || x == 'd' || x == 'm' || x == 't')))
      return i + 1 + a.len;
    if (a.len == 1 && i + 2 < n_) {
      uint32_t y = s_[i + 2] | 0x20u;
      if ((x == 'l' && y == 'l') || (x == 'v' && y == 'e') || (x == 'r' && y == 'e')) return i + 3;
    }
    return i;
  }

 private:
  static constexpr uint8_t kAscii[128] = {
      // 0x00-0x1f: controls; \t \n \v \f \r are white space.
      kOther, kOther, kOther, kOther, kOther, kOther, kOther, kOther, kOther, kSpace, kSpace,
      kSpace, kSpace, kSpace, kOther, kOther, kOther, kOther, kOther, kOther, kOther, kOther,
      kOther, kOther, kOther, kOther, kOther, kOther, kOther, kOther, kOther, kOther,
      // 0x20 space, punctuation, digits, punctuation
      kSpace, kOther, kOther, kOther, kOther, kOther, kOther, kOther, kOther, kOther, kOther,
      kOther, kOther, kOther, kOther, kOther, kNumber, kNumber, kNumber, kNumber, kNumber, kNumber,
      kNumber, kNumber, kNumber, kNumber, kOther, kOther, kOther, kOther, kOther, kOther,
      // 0x40 @, A-Z, [ \ ] ^ _
      kOther, kUpper, kUpper, kUpper, kUpper, kUpper, kUpper, kUpper, kUpper, kUpper, kUpper,
      kUpper, kUpper, kUpper, kUpper, kUpper, kUpper, kUpper, kUpper, kUpper, kUpper, kUpper,
      kUpper, kUpper, kUpper, kUpper, kUpper, kOther, kOther, kOther, kOther, kOther,
      // 0x60 `, a-z, { | } ~ DEL
      kOther, kLower, kLower, kLower, kLower, kLower, kLower, kLower, kLower, kLower, kLower,
      kLower, kLower, kLower, kLower, kLower, kLower, kLower, kLower, kLower, kLower, kLower,
      kLower, kLower, kLower, kLower, kLower, kOther, kOther, kOther, kOther, kOther};

  const unsigned char* s_;
  size_t n_;
};

bool IsCrLf(const Char& c) { return c.cp == '\r' || c.cp == '\n'; }
bool IsSpace(const Char& c) { return c.cls == kSpace; }
bool IsNumber(const Char& c) { return c.cls == kNumber; }
// \p{L}: marks are not letters.
bool IsLetter(const Char& c) { return c.cls == kUpper || c.cls == kLower || c.cls == kLetterBoth; }
// [^\r\n\p{L}\p{N}]
bool IsPrefix(const Char& c) { return !IsCrLf(c) && !IsLetter(c) && !IsNumber(c); }
// [^\s\p{L}\p{N}]
bool IsPunct(const Char& c) { return c.cls == kOther || c.cls == kMark; }
// o200k's [\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}] and [\p{Ll}\p{Lm}\p{Lo}\p{M}]
bool IsUpperish(const Char& c) { return c.cls == kUpper || c.cls == kLetterBoth || c.cls == kMark; }
bool IsLowerish(const Char& c) { return c.cls == kLower || c.cls == kLetterBoth || c.cls == kMark; }

// The white-space alternatives, which start at a white-space character p.
struct SpaceRun {
  size_t end;         // past the maximal run
  size_t last_crlf;   // past the last CR or LF in the run; 0 when none
  size_t last_start;  // start of the run's last character
  bool single;        // the run is one character
};

SpaceRun ScanSpace(const Scanner& sc, size_t p) {
  SpaceRun r{p, 0, p, true};
  for (Char c = sc.At(p); c.len && IsSpace(c); c = sc.At(r.end)) {
    if (r.end != p) r.single = false;
    r.last_start = r.end;
    r.end += c.len;
    if (IsCrLf(c)) r.last_crlf = r.end;
  }
  return r;
}

// \p{N}{1,3} at a number p.
size_t Digits(const Scanner& sc, size_t p) {
  size_t e = p;
  for (int i = 0; i < 3; ++i) {
    Char c = sc.At(e);
    if (!c.len || !IsNumber(c)) break;
    e += c.len;
  }
  return e;
}

// ' ?[^\s\p{L}\p{N}]+' then the trailing set, or p when it does not match.
template <typename T>
size_t PunctRun(const Scanner& sc, size_t p, const Char& c0, T trailing) {
  size_t q = c0.cp == ' ' ? p + 1 : p;
  if (!IsPunct(sc.At(q))) return p;
  q = sc.Skip(q, IsPunct);
  return sc.Skip(q, trailing);
}

size_t Cl100kPieceEnd(const Scanner& sc, size_t p) {
  const Char c0 = sc.At(p);
  if (c0.cp == '\'') {
    size_t e = sc.Contraction(p);
    if (e != p) return e;
  }
  // [^\r\n\p{L}\p{N}]?+\p{L}++
  size_t q = IsPrefix(c0) ? p + c0.len : p;
  if (IsLetter(sc.At(q))) return sc.Skip(q, IsLetter);
  // \p{N}{1,3}+
  if (IsNumber(c0)) return Digits(sc, p);
  if (size_t e = PunctRun(sc, p, c0, IsCrLf); e != p) return e;
  // Only white space is left: every other character matched above.
  const SpaceRun r = ScanSpace(sc, p);
  if (r.end == sc.size()) return r.end;  // \s++$
  if (r.last_crlf) return r.last_crlf;   // \s*[\r\n]
  if (!r.single) return r.last_start;    // \s+(?!\S)
  return p + c0.len;                     // \s
}

constexpr size_t kNoMatch = static_cast<size_t>(-1);

// [U]*[Lw]+ at q (alternative 1 after its prefix), where U is o200k's
// upper-case class and Lw its lower-case class.
size_t O200kLowerWord(const Scanner& sc, size_t q) {
  const size_t k = sc.Skip(q, IsUpperish);
  if (IsLowerish(sc.At(k))) return sc.Skip(k, IsLowerish);
  // Backtracking gives back characters of [U]* until [Lw]+ can match: it
  // matches the last character of the run that is in both classes (Lm, Lo,
  // M), and only that one, as the character after it is Lu or Lt.
  size_t end = kNoMatch;
  for (size_t i = q; i < k;) {
    Char c = sc.At(i);
    i += c.len;
    if (IsLowerish(c)) end = i;
  }
  return end;
}

// [U]+[Lw]* at q (alternative 2 after its prefix).
size_t O200kUpperWord(const Scanner& sc, size_t q) {
  const size_t k = sc.Skip(q, IsUpperish);
  return k == q ? kNoMatch : sc.Skip(k, IsLowerish);
}

size_t O200kPieceEnd(const Scanner& sc, size_t p) {
  const Char c0 = sc.At(p);
  // Alternatives 1 and 2, each tried with the optional prefix taken and then
  // without it (which matters when the prefix is a mark, itself a word
  // character here).
  const size_t after = IsPrefix(c0) ? p + c0.len : p;
  size_t e = O200kLowerWord(sc, after);
  if (e == kNoMatch && after != p) e = O200kLowerWord(sc, p);
  if (e == kNoMatch) e = O200kUpperWord(sc, after);
  if (e == kNoMatch && after != p) e = O200kUpperWord(sc, p);
  if (e != kNoMatch) return sc.Contraction(e);
  // \p{N}{1,3}
  if (IsNumber(c0)) return Digits(sc, p);
  if (size_t x = PunctRun(sc, p, c0, [](const Char& c) { return IsCrLf(c) || c.cp == '/'; });
      x != p)
    return x;
  const SpaceRun r = ScanSpace(sc, p);
  if (r.last_crlf) return r.last_crlf;   // \s*[\r\n]+
  if (r.end == sc.size()) return r.end;  // \s+(?!\S) at the end of the text
  if (!r.single) return r.last_start;    // \s+(?!\S)
  return r.end;                          // \s+
}

}  // namespace

size_t PieceEnd(Encoding encoding, std::string_view text, size_t start) {
  Scanner sc(text);
  return encoding == Encoding::kCl100kBase ? Cl100kPieceEnd(sc, start) : O200kPieceEnd(sc, start);
}

}  // namespace llmctl
