#include "model/diagnosis/verdict.h"

#include <QSet>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {
template<typename Enum>
Enum enumFromName(const QString &name, QString (*toName)(Enum), int count, Enum fallback)
{
    for (int i = 0; i < count; ++i) {
        if (toName(Enum(i)) == name)
            return Enum(i);
    }
    return fallback;
}
} // namespace

QString verdictKindName(Verdict::Kind kind)
{
    return kind == Verdict::Kind::Note ? u"note"_s : u"failure"_s;
}

QString partyName(Verdict::Party party)
{
    switch (party) {
    case Verdict::Party::Client:
        return u"client"_s;
    case Verdict::Party::Server:
        return u"server"_s;
    case Verdict::Party::Either:
        return u"either"_s;
    case Verdict::Party::Unknown:
        break;
    }
    return u"unknown"_s;
}

QString stepName(Verdict::Step step)
{
    switch (step) {
    case Verdict::Step::TcpConnect:
        return u"tcp-connect"_s;
    case Verdict::Step::FirstBytes:
        return u"first-bytes"_s;
    case Verdict::Step::ClientHello:
        return u"client-hello"_s;
    case Verdict::Step::ServerHello:
        return u"server-hello"_s;
    case Verdict::Step::Certificate:
        return u"certificate"_s;
    case Verdict::Step::ClientCertificate:
        return u"client-certificate"_s;
    case Verdict::Step::Finished:
        return u"finished"_s;
    case Verdict::Step::AfterHandshake:
        return u"after-handshake"_s;
    }
    return u"unknown"_s;
}

QString failureClassName(Verdict::FailureClass failureClass)
{
    switch (failureClass) {
    case Verdict::FailureClass::Other:
        return u"other"_s;
    case Verdict::FailureClass::Unreachable:
        return u"unreachable"_s;
    case Verdict::FailureClass::NotTls:
        return u"not-tls"_s;
    case Verdict::FailureClass::CertificateNotTrusted:
        return u"certificate-not-trusted"_s;
    case Verdict::FailureClass::PeerRefusedUs:
        return u"peer-refused-us"_s;
    case Verdict::FailureClass::NoCommonParameters:
        return u"no-common-parameters"_s;
    case Verdict::FailureClass::Timeout:
        return u"timeout"_s;
    }
    return u"other"_s;
}

Verdict::FailureClass Verdict::failureClass() const
{
    if (kind != Kind::Failure)
        return FailureClass::Other;
    static const QSet<QString> unreachable = {u"connection-refused"_s, u"host-not-found"_s, u"network-unreachable"_s};
    static const QSet<QString> notTls = {u"plaintext-to-tls-port"_s, u"tls-to-plaintext-port"_s};
    static const QSet<QString> certificate
        = {u"self-signed"_s, u"untrusted-issuer"_s, u"missing-intermediate"_s, u"name-mismatch"_s, u"expired"_s,
            u"not-yet-valid"_s, u"intermediate-expired"_s, u"intermediate-not-yet-valid"_s, u"wrong-purpose"_s,
            u"weak-key"_s, u"weak-signature"_s, u"certificate-invalid"_s, u"no-server-certificate"_s};
    static const QSet<QString> refusedUs = {u"client-certificate-required"_s, u"client-certificate-untrusted"_s,
        u"client-certificate-invalid"_s, u"peer-rejected-certificate"_s, u"peer-aborted-handshake"_s,
        u"closed-during-handshake"_s, u"reset-during-handshake"_s, u"unrecognized-name"_s};
    static const QSet<QString> parameters = {u"protocol-version-mismatch"_s, u"no-shared-cipher"_s,
        u"no-shared-group"_s, u"no-shared-parameters"_s, u"no-alpn-overlap"_s, u"insufficient-security"_s};
    static const QSet<QString> timeout = {u"handshake-timeout"_s, u"silent-peer"_s, u"connect-timeout"_s};
    if (unreachable.contains(causeCode))
        return FailureClass::Unreachable;
    if (notTls.contains(causeCode))
        return FailureClass::NotTls;
    if (certificate.contains(causeCode))
        return FailureClass::CertificateNotTrusted;
    if (refusedUs.contains(causeCode))
        return FailureClass::PeerRefusedUs;
    if (parameters.contains(causeCode))
        return FailureClass::NoCommonParameters;
    if (timeout.contains(causeCode))
        return FailureClass::Timeout;
    return FailureClass::Other;
}

QJsonObject Verdict::toJson() const
{
    return QJsonObject {{u"kind"_s, verdictKindName(kind)}, {u"side"_s, partyName(side)},
        {u"gave_up"_s, partyName(gaveUp)}, {u"step"_s, stepName(step)}, {u"cause"_s, cause},
        {u"cause_code"_s, causeCode}, {u"why"_s, why}, {u"fix"_s, fix}};
}

Verdict Verdict::fromJson(const QJsonObject &o)
{
    Verdict v;
    if (!o.contains(u"cause_code"_s))
        return v;
    v.kind = o.value(u"kind"_s).toString() == u"note" ? Kind::Note : Kind::Failure;
    v.side = enumFromName<Party>(o.value(u"side"_s).toString(), partyName, 4, Party::Unknown);
    v.gaveUp = enumFromName<Party>(o.value(u"gave_up"_s).toString(), partyName, 4, Party::Unknown);
    v.step = enumFromName<Step>(o.value(u"step"_s).toString(), stepName, 8, Step::TcpConnect);
    v.cause = o.value(u"cause"_s).toString();
    v.causeCode = o.value(u"cause_code"_s).toString();
    v.why = o.value(u"why"_s).toString();
    v.fix = o.value(u"fix"_s).toString();
    return v;
}

QStringList Verdict::toTextLines() const
{
    QStringList lines;
    const QString who = side == Party::Unknown ? u"side unknown"_s
        : side == Party::Either                ? u"either end can change"_s
                                               : partyName(side) + u" must change"_s;
    lines.append(u"%1 [%2] at %3 (%4): %5"_s.arg(
        kind == Kind::Note ? u"Note"_s : u"Diagnosis"_s, causeCode, stepName(step), who, cause));
    if (!why.isEmpty())
        lines.append(u"Why: "_s + why);
    if (!fix.isEmpty())
        lines.append(u"Fix: "_s + fix);
    return lines;
}

} // namespace TlsLab::Model
