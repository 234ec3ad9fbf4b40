#pragma once

#include "model/core/event.h"
#include "model/core/session.h"
#include "model/diagnosis/verdict.h"

#include <QDateTime>
#include <QList>
#include <QSslCertificate>

#include <optional>

namespace TlsLab::Model {

// Everything a verdict may rest on: one end's session and its events and, when both ends of the connection are in
// this process, the other end's. Plain values, so a verdict can be made anywhere (a test, the command line, a view).
struct DiagnosisInput
{
    Session session;
    QList<Event> events; // this session's events, in order
    std::optional<Session> other; // the other end of the same connection, when it is in this process
    QList<Event> otherEvents;
    QList<QSslCertificate> localChain; // the chain this end presented (the listener's certificate), when known
    QString localCertificateFile; // the file that chain was read from, when known
    bool localIsDevelopment = false; // the chain is TLS Lab's development certificate
    QDateTime now; // the clock for "expires soon"; invalid: the session's end (or start)
};

// The verdict for a session: none for a healthy one (or one still open), a note for one that succeeded but would
// fail elsewhere, a failure otherwise. It never guesses: a cause is claimed only when the recorded facts support it,
// and where one end cannot know, the verdict says what is known and what is not.
std::optional<Verdict> diagnose(const DiagnosisInput &input);

// A note on the certificate a listener serves (a CA certificate, one that expires within 30 days at `now`), or none.
// Said once when the listener starts: its sessions' verdicts do not repeat it.
std::optional<Verdict> certificateNote(const QList<QSslCertificate> &chain, const QDateTime &now);

} // namespace TlsLab::Model
