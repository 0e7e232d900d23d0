#include "core/run_name.hpp"

#include <array>
#include <string_view>

#include "util/random_id.hpp"

namespace sextant::core {

namespace {
constexpr std::array<std::string_view, 24> kAdjectives = {
    "able", "bold", "brave", "bright", "calm", "clean", "clever", "cool", "crisp", "eager", "fair", "fast",
    "gentle", "grand", "keen", "kind", "lucky", "merry", "neat", "proud", "quick", "quiet", "sharp", "wise"};
constexpr std::array<std::string_view, 24> kNouns = {
    "ant", "bat", "bee", "cat", "cod", "cow", "crab", "deer", "dove", "duck", "eel", "elk",
    "fox", "frog", "gnat", "hawk", "lark", "lion", "mole", "moth", "owl", "ram", "seal", "wolf"};
}  // namespace

std::string random_run_name() {
  std::string name(kAdjectives[util::random_below(kAdjectives.size())]);
  name += '-';
  name += kNouns[util::random_below(kNouns.size())];
  name += '-';
  name += std::to_string(util::random_below(1000));
  return name;
}

}  // namespace sextant::core
