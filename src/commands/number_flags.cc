#include "commands/number_flags.h"

#include <string>

#include "util/strict_number.h"

namespace llmctl {

CLI::Validator StrictNumberFlag() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        if (ParseStrictNumber(value)) return "";
        return "\"" + value +
               "\" is not a number: expected plain decimal digits (no spaces, '+', hex, nan or inf)";
      },
      "NUMBER");
}

CLI::Validator StrictIntegerFlag() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        if (ParseStrictInteger(value)) return "";
        return "\"" + value +
               "\" is not a whole number: expected decimal digits (no spaces, '+', hex or fraction)";
      },
      "INTEGER");
}

}  // namespace llmctl
