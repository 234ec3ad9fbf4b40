#include "app/cli/exitstatus.h"

#include "app/cli/commandline.h"

using namespace Qt::StringLiterals;

namespace TlsLab::Cli {

int exitStatusFor(const Model::Verdict &verdict)
{
    using C = Model::Verdict::FailureClass;
    switch (verdict.failureClass()) {
    case C::Unreachable:
        return ExitUnreachable;
    case C::NotTls:
        return ExitNotTls;
    case C::CertificateNotTrusted:
        return ExitCertificateNotTrusted;
    case C::PeerRefusedUs:
        return ExitPeerRefusedUs;
    case C::NoCommonParameters:
        return ExitNoCommonParameters;
    case C::Timeout:
        return ExitTimeout;
    case C::Other:
        break;
    }
    return ExitFailed;
}

QString connectExitStatusHelp()
{
    return u"Exit status:\n"
           "  0  what was asked succeeded (TLS verified, or --insecure, or the plaintext sent)\n"
           "  1  another failure (the diagnosis says which)\n"
           "  2  usage error\n"
           "  3  unreachable: connection refused, host not found, network unreachable\n"
           "  4  not TLS: the server on the port does not speak TLS\n"
           "  5  certificate not trusted: self-signed, unknown or missing issuer, name, dates, purpose, weak key\n"
           "  6  the server refused us: client certificate required or rejected, or it aborted the handshake\n"
           "  7  no common parameters: TLS version, cipher suite, group or ALPN protocol\n"
           "  8  timeout: no connection or no complete handshake within --timeout"_s;
}

} // namespace TlsLab::Cli
