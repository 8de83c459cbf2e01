# Turns the dated LiteLLM snapshot (data/model_prices.json) into the C++
# include behind llmctl's built-in price table, so no JSON is parsed when
# the binary starts. Run by the build:
#   cmake -DINPUT=model_prices.json -DOUTPUT=builtin_prices.inc -DSNAPSHOT_DATE=YYYY-MM-DD -P generate_prices.cmake
cmake_minimum_required(VERSION 3.25)

file(READ "${INPUT}" doc)
string(JSON count LENGTH "${doc}")
math(EXPR last "${count} - 1")

# A number field of `entry`, or "-1" when it is absent or not a number.
function(number_or_absent entry field out)
  string(JSON type ERROR_VARIABLE err TYPE "${entry}" "${field}")
  if(err OR NOT type STREQUAL "NUMBER")
    set(${out} "-1" PARENT_SCOPE)
  else()
    string(JSON value GET "${entry}" "${field}")
    set(${out} "${value}" PARENT_SCOPE)
  endif()
endfunction()

set(rows "")
set(written 0)
foreach(i RANGE ${last})
  string(JSON key MEMBER "${doc}" ${i})
  string(JSON entry GET "${doc}" "${key}")
  number_or_absent("${entry}" input_cost_per_token in)
  number_or_absent("${entry}" output_cost_per_token out)
  if(in STREQUAL "-1" AND out STREQUAL "-1")
    continue()  # priced per call or per second, not per token
  endif()
  if(in STREQUAL "-1")
    set(in 0)
  endif()
  if(out STREQUAL "-1")
    set(out 0)
  endif()
  string(JSON provider ERROR_VARIABLE err GET "${entry}" litellm_provider)
  if(err)
    message(FATAL_ERROR "${INPUT}: ${key} has no litellm_provider")
  endif()
  number_or_absent("${entry}" cache_read_input_token_cost cache_read)
  number_or_absent("${entry}" cache_creation_input_token_cost cache_write)
  number_or_absent("${entry}" output_cost_per_reasoning_token reasoning)
  number_or_absent("${entry}" max_input_tokens max_in)
  number_or_absent("${entry}" max_output_tokens max_out)
  foreach(v max_in max_out)
    if(${v} STREQUAL "-1")
      set(${v} 0)
    endif()
    string(REGEX REPLACE "\\.0+$" "" ${v} "${${v}}")
  endforeach()

  # Tiers: input/output_cost_per_token_above_Nk_tokens, one threshold at most.
  set(tier_threshold 0)
  set(tier_input ${in})
  set(tier_output ${out})
  string(JSON members LENGTH "${entry}")
  math(EXPR last_member "${members} - 1")
  foreach(j RANGE ${last_member})
    string(JSON field MEMBER "${entry}" ${j})
    if(field MATCHES "^(input|output)_cost_per_token_above_([0-9]+)k_tokens$")
      set(side ${CMAKE_MATCH_1})
      math(EXPR threshold "${CMAKE_MATCH_2} * 1000")
      if(NOT tier_threshold EQUAL 0 AND NOT tier_threshold EQUAL threshold)
        message(FATAL_ERROR "${INPUT}: ${key} has more than one price tier; extend GeneratedPrice")
      endif()
      set(tier_threshold ${threshold})
      string(JSON value GET "${entry}" "${field}")
      set(tier_${side} ${value})
    endif()
  endforeach()
  if(tier_threshold EQUAL 0)
    set(tier_input 0)
    set(tier_output 0)
  endif()

  string(APPEND rows "    {\"${key}\", \"${provider}\", ${in}, ${out}, ${cache_read}, ${cache_write}, "
                     "${reasoning}, ${max_in}, ${max_out}, ${tier_threshold}, ${tier_input}, ${tier_output}},\n")
  math(EXPR written "${written} + 1")
endforeach()

set(text "// Generated from data/model_prices.json by cmake/generate_prices.cmake. Do not edit.
// ${written} models; LiteLLM snapshot of ${SNAPSHOT_DATE}.
constexpr const char* kPricesSnapshotDate = \"${SNAPSHOT_DATE}\";
constexpr GeneratedPrice kGeneratedPrices[] = {
${rows}};
")
# Rewritten only when it changes, so an unrelated reconfigure rebuilds nothing.
file(CONFIGURE OUTPUT "${OUTPUT}" CONTENT "${text}" @ONLY)
