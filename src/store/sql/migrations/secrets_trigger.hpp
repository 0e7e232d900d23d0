// MLflow's trigger prevent_secrets_aad_mutation (alembic revision 1bd49d398cd23): secret_id and
// secret_name are the AAD of the secret's encryption, so an UPDATE that changes them is refused.
#pragma once

#include "db/connection.hpp"

namespace sextant::store::sql::migrations {

// Creates the trigger as MLflow does on conn's dialect (PostgreSQL: its plpgsql function too).
// MySQL with binary logging refuses a trigger from a user without SUPER unless the server runs with
// log_bin_trust_function_creators=1; a user without the TRIGGER privilege is refused too: the
// error then says what to change.
void create_secrets_trigger(db::Connection& conn);

}  // namespace sextant::store::sql::migrations
