// The most common passwords of 12 or more characters (from public breach-frequency lists), lower
// case and sorted: password_rule.cpp refuses them. Shorter ones fail the length rule anyway.
#include <algorithm>
#include <array>
#include <string_view>

#include "auth/password_rule.hpp"

namespace sextant::auth {

namespace {

constexpr std::array<std::string_view, 162> kCommonPasswords = {
    "!qaz2wsx3edc", "000000000000", "0123456789ab", "098765432109", "111111111111", "112233445566",
    "11223344556677", "121212121212", "123123123123", "123321123321", "123456123456", "123456789012",
    "1234567890123", "12345678901234", "123456789012345", "1234567890123456", "123456abcdef", "1234qwerasdf",
    "147258369147", "147852369147", "159753159753", "1q2w3e4r1q2w3e4r", "1q2w3e4r5t6y", "1q2w3e4r5t6y7u",
    "1q2w3e4r5t6y7u8i", "1qa2ws3ed4rf", "1qaz!qaz1qaz", "1qaz2wsx3edc", "1qaz2wsx3edc4rfv", "1qazxsw23edc",
    "222222222222", "333333333333", "444444444444", "555555555555", "666666666666", "777777777777",
    "888888888888", "987654321098", "987654321987", "999999999999", "a1b2c3d4e5f6", "a1s2d3f4g5h6",
    "aa123456789a", "abc123abc123", "abcd1234abcd", "abcdef123456", "abcdefghijkl", "abcdefghijklm",
    "admin1234567", "admin@123456", "adminadmin123", "administrator", "administrator1", "administrator123",
    "adminpassword", "arsenal12345", "asdf1234asdf", "asdfasdfasdf", "asdfghjkl123", "asdfghjklzxc",
    "autumn2024!!", "baseball1234", "basketball12", "changeit1234", "changeme123!", "changeme1234",
    "changemechangeme", "charlie12345", "chelsea12345", "correct horse battery staple",
    "correcthorsebatterystaple", "default12345", "defaultpassword", "demo12345678", "demopassword",
    "dragon123456", "football1234", "guest1234567", "harley123456", "hunter123456", "iloveyou1234",
    "iloveyou12345", "iloveyouiloveyou", "jennifer1234", "jordan231234", "letmein12345", "letmeinletmein",
    "liverpool123", "loveyou12345", "master123456", "michael12345", "mlflow-password", "mlflow123456",
    "mlflowmlflow", "mlflowpassword", "monkey123456", "mypassword123", "mypassword1234", "p@ssw0rd123!",
    "p@ssw0rd1234", "p@ssword1234", "passw0rd1234", "password!123", "password123!", "password1234",
    "password12345", "password123456", "password1234567", "password@123", "passwordpassword", "pokemon12345",
    "princess1234", "q1w2e3r4t5y6", "q1w2e3r4t5y6u7", "qazwsxedcrfv", "qazwsxedcrfvtgb", "qwer1234asdf",
    "qwerty123456", "qwerty12345678", "qwertyqwerty", "qwertyuiop12", "qwertyuiopas", "qwertyuiopasdfgh",
    "qwertyuiopasdfghjkl", "root12345678", "rootpassword", "secretpassword", "sextant12345",
    "sextantpassword", "shadow123456", "spring2024!!", "starwars1234", "summer202412", "sunshine1234",
    "superman1234", "supersecret123", "supersecretpassword", "temp12345678", "temporary123", "temppassword",
    "test12345678", "test1234test", "testpassword", "testtesttest", "thisismypassword", "trackingserver",
    "trustno1trustno1", "user12345678", "userpassword", "welcome12345", "welcome123456", "welcome2024!",
    "welcome2025!", "welcome2026!", "welcome@1234", "winter2024!!", "z1x2c3v4b5n6", "zaq12wsxcde3",
    "zaq1xsw2cde3", "zaq1zaq1zaq1", "zxcvbnm12345", "zxcvbnmasdfghjkl",
};

}  // namespace

bool common_password(std::string_view lowered) {
  return std::binary_search(kCommonPasswords.begin(), kCommonPasswords.end(), lowered);
}

}  // namespace sextant::auth
