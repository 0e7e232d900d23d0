// Transitional: the database is backend-neutral now (store/sql/database.hpp).
#pragma once

#include "store/sql/database.hpp"
