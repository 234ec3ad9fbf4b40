#include "model/core/session.h"

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

QString stateName(SessionState state)
{
    switch (state) {
    case SessionState::Connecting:
        return u"connecting"_s;
    case SessionState::Handshaking:
        return u"handshaking"_s;
    case SessionState::Encrypted:
        return u"encrypted"_s;
    case SessionState::Plaintext:
        return u"plaintext"_s;
    case SessionState::Closed:
        return u"closed"_s;
    case SessionState::Refused:
        return u"refused"_s;
    case SessionState::Failed:
        return u"failed"_s;
    }
    return u"unknown"_s;
}

} // namespace TlsLab::Model
