#pragma once

#include "model/capture/sessionwire.h"
#include "model/core/result.h"
#include "model/core/session.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace TlsLab::Model {

class Timeline;

// The Wireshark export: sessions as a pcapng file whose packets carry the TLS bytes exactly as they crossed the wire,
// inside synthesized IPv4/TCP packets (handshake, data segments, FIN exchange; TcpSynthesizer), with a Decryption
// Secrets Block of the sessions' key log lines when key logging was on, so Wireshark and tshark decrypt the file with
// nothing else configured. Also the key log alone (SSLKEYLOGFILE format). The command line (--pcap) and the window
// both call these.
class PcapngExport final
{
public:
    struct Input
    {
        Session session;
        SessionWire wire;
    };

    struct Summary
    {
        int sessions = 0; // streams written
        int packets = 0;
        int keyLogLines = 0;
        int truncated = 0; // sessions whose bytes end early (the tap's or the store's limit)
        int withoutBytes = 0; // sessions asked for that had no wire bytes kept
    };

    // The pcapng for these sessions, in the given order. When both ends of one connection are given (serve and
    // connect in one process), the connection is written once (the server's view) with the key log lines of both.
    static QByteArray build(const QList<Input> &inputs, Summary *summary = nullptr);
    // The sessions' key log lines, deduplicated, one per line: an SSLKEYLOGFILE.
    static QByteArray keyLog(const QList<Input> &inputs);

    // What the timeline's WireStore keeps for these sessions (every kept session when the list is empty).
    static QList<Input> collect(const Timeline &timeline, const QList<quint64> &sessions = {});

    // Writes build(collect(...)) to path (replacing it), mode 0600 when it holds secrets.
    static Result<Summary> writePcapng(const Timeline &timeline, const QList<quint64> &sessions, const QString &path);
    // Writes keyLog(collect(...)) to path, mode 0600. Fails when no session has key log lines.
    static Result<int> writeKeyLog(const Timeline &timeline, const QList<quint64> &sessions, const QString &path);
};

// The window's entry point: one session (both directions) as pcapng. Same as PcapngExport::writePcapng.
Result<PcapngExport::Summary> exportSessionPcapng(const Timeline &timeline, quint64 session, const QString &path);
// One session's key log lines as an SSLKEYLOGFILE; the number of lines written.
Result<int> exportSessionKeyLog(const Timeline &timeline, quint64 session, const QString &path);

} // namespace TlsLab::Model
