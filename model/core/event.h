#pragma once

#include "model/core/eventdetails.h"

#include <QCborMap>
#include <QJsonObject>
#include <QMetaType>
#include <QString>

namespace TlsLab::Model {

// Which end of a connection an event was observed on.
enum class Side : quint8 { Server, Client };

enum class Severity : quint8 {
    Debug, // plumbing detail
    Info, // a normal step
    Success, // the step a user was waiting for (encrypted, data delivered)
    Warning, // something a careful user should look at (verification error that was ignored, refusal by design)
    Error, // a failure
};

// Every kind of step the timeline records. Keep in sync with kindName()/kindFromName().
enum class EventKind : quint8 {
    ListenerStarted,
    ListenerStopped,
    ListenerFailed,
    TcpAccepted,
    TcpConnected,
    FirstBytes, // the listener classified the first bytes of a connection
    ClientHello, // a parsed TLS ClientHello
    HandshakeStarted,
    Encrypted,
    VerifyError, // one certificate verification error
    ErrorsIgnored, // the user chose "continue anyway" for exactly the listed errors
    AlertSent,
    AlertReceived,
    HandshakeFailed,
    PlaintextRefused, // the listener refused a plaintext client
    Timeout,
    DataSent,
    DataReceived,
    Closed,
    Reset,
    SocketError,
    TlsMessage, // one TLS handshake message (or ChangeCipherSpec) seen by the tap, sent or received
    Limit, // a limit was reached (connections, backlog, idle time); the details say which
    Diagnosis, // the verdict on a session that ended badly (model/diagnosis): cause, why, fix
    KindCount
};

// The fixed-size part of an event: enough to filter and sort without decoding text.
struct EventHeader
{
    qint64 timeUs = 0;
    quint64 session = 0;
    Side side = Side::Server;
    EventKind kind = EventKind::SocketError;
    Severity severity = Severity::Info;
};

// One typed, timestamped fact about a session. A plain value type: cheap to copy, safe to pass between threads.
struct Event
{
    qint64 timeUs = 0; // microseconds since the Unix epoch
    quint64 session = 0; // session id (0 for listener-wide events)
    Side side = Side::Server;
    EventKind kind = EventKind::SocketError;
    Severity severity = Severity::Info;
    QString summary; // one line in plain language
    EventDetails details; // structured fields (string keys)

    QJsonObject toJson() const;
    // The same object as one compact line of JSON ending in '\n', written directly: this runs for every event a
    // command prints, so it avoids building a QJsonObject.
    QByteArray toJsonLine() const;
    QString toText() const; // one human-readable line
};

QString kindName(EventKind kind); // "tcp-accepted", ...
EventKind kindFromName(QStringView name); // KindCount when unknown
QString sideName(Side side); // "server" / "client"
QString severityName(Severity severity); // "debug" ... "error"
qint64 nowUs(); // current time in microseconds since the epoch
QString formatTimeUs(qint64 timeUs); // ISO 8601, local time, microseconds

// Printable preview of raw bytes: printable ASCII kept, the rest escaped (\n, \xNN), cut at maxBytes.
QString previewBytes(const QByteArray &bytes, int maxBytes = 64);

} // namespace TlsLab::Model

Q_DECLARE_METATYPE(TlsLab::Model::Event)
