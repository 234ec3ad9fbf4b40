#include "model/capture/pcapngexport.h"

#include "model/capture/pcapngwriter.h"
#include "model/capture/tcpsynthesizer.h"
#include "model/capture/wirestore.h"
#include "model/timeline/timeline.h"

#include <QHostAddress>
#include <QSaveFile>
#include <QSet>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {

// The synthesized packets are IPv4; an address that is not (IPv6) is replaced by a loopback placeholder, distinct
// per end, so that the tools still see one connection between two hosts.
quint32 ipv4Of(const QString &text, quint32 placeholder)
{
    bool ok = false;
    const quint32 v4 = QHostAddress(text).toIPv4Address(&ok);
    return ok ? v4 : placeholder;
}

void writeSession(PcapngWriter &writer, const PcapngExport::Input &input)
{
    const Session &s = input.session;
    const bool server = s.side == Side::Server;
    const quint32 local = ipv4Of(s.localAddress, server ? 0x7f000001 : 0x7f000002);
    const quint32 peer = ipv4Of(s.peerAddress, server ? 0x7f000002 : 0x7f000001);
    const quint16 localPort = s.localPort ? s.localPort : 1;
    const quint16 peerPort = s.peerPort ? s.peerPort : 1;
    TcpSynthesizer tcp
        = server ? TcpSynthesizer(peer, peerPort, local, localPort) : TcpSynthesizer(local, localPort, peer, peerPort);

    const QList<WireChunk> &chunks = input.wire.chunks;
    qint64 time = s.startUs ? s.startUs : chunks.constFirst().timeUs;
    const auto add = [&writer](const QList<QByteArray> &packets, qint64 timeUs) {
        for (const QByteArray &p : packets)
            writer.addPacket(p, quint64(qMax<qint64>(timeUs, 0)));
    };
    add(tcp.open(), qMin(time, chunks.constFirst().timeUs));
    for (const WireChunk &chunk : chunks) {
        // Our end sent it: from the client when we are the client.
        const bool fromClient = server ? !chunk.sent : chunk.sent;
        time = qMax(time, chunk.timeUs);
        add(tcp.send(fromClient, chunk.bytes), time);
    }
    add(tcp.close(), qMax(time, s.endUs));
}

Status writeFile(const QString &path, const QByteArray &data, bool secret)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return Status::failure(u"cannot write %1: %2"_s.arg(path, file.errorString()));
    // Secrets are never readable by others, not even for the moment before commit().
    if (secret)
        file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(data);
    if (!file.commit())
        return Status::failure(u"cannot write %1: %2"_s.arg(path, file.errorString()));
    return {};
}

} // namespace

QByteArray PcapngExport::build(const QList<Input> &inputs, Summary *summary)
{
    Summary counts;
    QSet<quint64> given;
    for (const Input &input : inputs)
        given.insert(input.session.id);

    PcapngWriter writer;
    // The secrets go first: Wireshark applies a DSB to the packets after it.
    writer.addTlsKeyLog(keyLog(inputs));
    for (const Input &input : inputs) {
        counts.keyLogLines += int(input.wire.keyLogLines.size());
        // The other end of the same connection, in this process: the bytes are the same, write them once.
        if (input.session.side == Side::Client && input.session.linkedSession != 0
            && given.contains(input.session.linkedSession))
            continue;
        if (input.wire.chunks.isEmpty()) {
            ++counts.withoutBytes;
            continue;
        }
        writeSession(writer, input);
        ++counts.sessions;
        if (input.wire.truncated)
            ++counts.truncated;
    }
    counts.packets = writer.packetCount();
    if (summary)
        *summary = counts;
    return writer.data();
}

QByteArray PcapngExport::keyLog(const QList<Input> &inputs)
{
    QByteArray out;
    QSet<QByteArray> seen;
    for (const Input &input : inputs) {
        for (const QByteArray &line : input.wire.keyLogLines) {
            if (seen.contains(line))
                continue;
            seen.insert(line);
            out += line + '\n';
        }
    }
    return out;
}

QList<PcapngExport::Input> PcapngExport::collect(const Timeline &timeline, const QList<quint64> &sessions)
{
    QList<Input> out;
    const WireStore *store = WireStore::find(&timeline);
    if (!store)
        return out;
    for (quint64 id : sessions.isEmpty() ? store->sessions() : sessions) {
        Input input {timeline.session(id), store->wire(id)};
        if (input.session.id == 0)
            continue;
        out.append(input);
    }
    return out;
}

Result<PcapngExport::Summary> PcapngExport::writePcapng(
    const Timeline &timeline, const QList<quint64> &sessions, const QString &path)
{
    const QList<Input> inputs = collect(timeline, sessions);
    Summary summary;
    const QByteArray data = build(inputs, &summary);
    const Status written = writeFile(path, data, summary.keyLogLines > 0);
    if (!written)
        return Result<Summary>::failure(written.error());
    return summary;
}

Result<int> PcapngExport::writeKeyLog(const Timeline &timeline, const QList<quint64> &sessions, const QString &path)
{
    const QByteArray lines = keyLog(collect(timeline, sessions));
    if (lines.isEmpty())
        return Result<int>::failure(
            u"no key log lines were kept for this session: turn key logging on before connecting"_s);
    const Status written = writeFile(path, lines, true);
    if (!written)
        return Result<int>::failure(written.error());
    return int(lines.count('\n'));
}

Result<PcapngExport::Summary> exportSessionPcapng(const Timeline &timeline, quint64 session, const QString &path)
{
    return PcapngExport::writePcapng(timeline, {session}, path);
}

Result<int> exportSessionKeyLog(const Timeline &timeline, quint64 session, const QString &path)
{
    return PcapngExport::writeKeyLog(timeline, {session}, path);
}

} // namespace TlsLab::Model
