// Random identifiers. Thread-safe (each thread has its own generator seeded from the OS).
#pragma once

#include <cstdint>
#include <string>

namespace sextant::util {

// A random UUID4 as 32 lowercase hex characters, no dashes (MLflow's run id format).
std::string uuid4_hex();
// A UUIDv7 (RFC 9562) as 32 lowercase hex characters: 48-bit Unix milliseconds, then a 12-bit
// counter that keeps ids of one process strictly increasing within a millisecond, then 62
// random bits. Ids made later by this process sort after earlier ones (as text too), so rows
// ordered by id come back in creation order; ids from other replicas interleave by time.
std::string uuid7_hex();
// The same in Python's str(uuid.uuid4()) form: 8-4-4-4-12 hex digits with dashes.
std::string uuid4_dashed();
// A uniformly distributed integer in [0, bound).
std::uint64_t random_below(std::uint64_t bound);

}  // namespace sextant::util
