// Precompiled header for the http/ translation units (Boost.Beast and Asio are heavy).
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
