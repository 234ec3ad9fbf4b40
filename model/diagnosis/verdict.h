#pragma once

#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace TlsLab::Model {

// What TLS Lab concludes about one session that did not end as asked (a failure or a refusal), or, for a session
// that succeeded but would fail elsewhere, a note. Plain words for people, a stable code for scripts.
struct Verdict
{
    enum class Kind : quint8 { Failure, Note };
    // Which end: the one that gave up, or the one that must change.
    enum class Party : quint8 { Client, Server, Either, Unknown };
    // Where in the connection it went wrong.
    enum class Step : quint8 {
        TcpConnect,
        FirstBytes,
        ClientHello,
        ServerHello,
        Certificate,
        ClientCertificate,
        Finished,
        AfterHandshake,
    };
    // The classes a script (and `tlslab connect`'s exit status) tells apart.
    enum class FailureClass : quint8 {
        Other,
        Unreachable, // connection refused, host unknown, network unreachable
        NotTls, // one end spoke TLS, the other did not
        CertificateNotTrusted, // we did not accept the peer's certificate
        PeerRefusedUs, // the peer ended the handshake: our certificate, or a reason it did not say
        NoCommonParameters, // versions, cipher suites, groups, ALPN
        Timeout,
    };

    Kind kind = Kind::Failure;
    Party side = Party::Unknown; // the end that must change
    Party gaveUp = Party::Unknown; // the end that ended the connection
    Step step = Step::TcpConnect;
    QString causeCode; // stable, e.g. "missing-intermediate"
    QString cause; // one short sentence
    QString why; // the facts the cause rests on
    QString fix; // a concrete action for `side`

    bool isFailure() const { return kind == Kind::Failure; }
    FailureClass failureClass() const;

    // {"kind", "side", "gave_up", "step", "cause", "cause_code", "why", "fix"}
    QJsonObject toJson() const;
    static Verdict fromJson(const QJsonObject &object); // a default (empty code) Verdict when it is not one
    // "Diagnosis (client must change, at certificate): ..." then "Why: ..." and "Fix: ..." lines.
    QStringList toTextLines() const;

    friend bool operator==(const Verdict &a, const Verdict &b) = default;
};

QString verdictKindName(Verdict::Kind kind); // "failure", "note"
QString partyName(Verdict::Party party); // "client", "server", "either", "unknown"
QString stepName(Verdict::Step step); // "tcp-connect", "first-bytes", ... "after-handshake"
QString failureClassName(Verdict::FailureClass failureClass); // "unreachable", "not-tls", ...

} // namespace TlsLab::Model

Q_DECLARE_METATYPE(TlsLab::Model::Verdict)
