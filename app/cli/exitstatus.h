#pragma once

#include "model/diagnosis/verdict.h"

#include <QString>

namespace TlsLab::Cli {

// `tlslab connect`'s exit status per class of failure, so scripts can tell them apart without parsing the output.
// 0 (success), 1 (another failure) and 2 (usage) are shared by every command (ExitCode in commandline.h).
enum ConnectExitStatus {
    ExitUnreachable = 3, // connection refused, host not found, network unreachable
    ExitNotTls = 4, // one end spoke TLS, the other did not
    ExitCertificateNotTrusted = 5, // the server's certificate was not accepted
    ExitPeerRefusedUs = 6, // the server ended the handshake (our client certificate, or an unstated reason)
    ExitNoCommonParameters = 7, // no TLS version, cipher suite, group or ALPN protocol in common
    ExitTimeout = 8, // no connection or no complete handshake in time
};

// The exit status for a failed connection with this verdict (1 when there is none or it fits no class).
int exitStatusFor(const Model::Verdict &verdict);
// The "Exit status:" section of `tlslab connect --help` (the man page is generated from it).
QString connectExitStatusHelp();

} // namespace TlsLab::Cli
