// Whether stdout may carry ANSI colour: only on a terminal, never when
// NO_COLOR is set (https://no-color.org) or TERM is "dumb", so pipes and
// files always get plain text.
#pragma once

namespace llmctl {

bool StdoutWantsColor();

}  // namespace llmctl
