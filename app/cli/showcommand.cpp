#include "app/cli/showcommand.h"

#include "app/cli/commandline.h"
#include "app/cli/jsonprinter.h"
#include "app/cli/ladderfile.h"
#include "model/capture/capturereader.h"
#include "model/capture/pcapngexport.h"
#include "model/timeline/timeline.h"

#include <QSaveFile>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;

namespace TlsLab::Cli {

namespace {

QList<PcapngExport::Input> exportInputs(const Capture &capture)
{
    QList<PcapngExport::Input> inputs;
    for (const Session &session : capture.sessions)
        inputs.append({session, capture.wire.value(session.id)});
    return inputs;
}

int writeSecretFile(const QString &path, const QByteArray &data)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        printError(u"cannot write %1: %2"_s.arg(path, file.errorString()));
        return ExitFailed;
    }
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(data);
    if (!file.commit()) {
        printError(u"cannot write %1: %2"_s.arg(path, file.errorString()));
        return ExitFailed;
    }
    return ExitOk;
}

// Writes the ladder of one session of the capture (the only one when --session is not given).
int writeLadder(const Capture &capture, const QString &sessionText, const QString &path)
{
    quint64 id = 0;
    if (sessionText.isEmpty()) {
        if (capture.sessions.size() != 1) {
            printError(u"the capture holds %1 sessions: say which with --session N"_s.arg(capture.sessions.size()));
            return ExitUsage;
        }
        id = capture.sessions.first().id;
    } else {
        bool ok = false;
        id = sessionText.toULongLong(&ok);
        const bool known = std::any_of(
            capture.sessions.cbegin(), capture.sessions.cend(), [id](const Session &s) { return s.id == id; });
        if (!ok || !known) {
            QStringList ids;
            for (const Session &s : capture.sessions.mid(0, 10))
                ids.append(QString::number(s.id));
            printError(u"--session %1: no such session in the capture (it holds %2%3)"_s.arg(sessionText,
                ids.isEmpty() ? u"none"_s : ids.join(u", "_s), capture.sessions.size() > 10 ? u", ..."_s : QString()));
            return ExitUsage;
        }
    }
    // The ladder is built from a timeline, as in the window's capture view.
    Timeline timeline;
    for (const Session &session : capture.sessions)
        timeline.updateSession(session);
    for (const Event &event : capture.events)
        timeline.append(event);
    const Status written = writeLadderFile(timeline, id, path);
    if (!written) {
        printError(written.error());
        return ExitFailed;
    }
    return ExitOk;
}

} // namespace

int runShowCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Print the events of a capture file (written by 'tlslab serve' and the window) as JSON lines, text or CSV,\n"
        "or export its sessions for Wireshark. A truncated or damaged capture is read up to the damage, and a line\n"
        "on stderr says where it stopped (exit status 1 for damage, 0 for a capture cut by a crash)."_s);
    parser.addPositionalArgument(u"CAPTURE"_s, u"The capture file (*.tlscap)."_s);
    const QCommandLineOption pcap(u"pcap"_s,
        u"Write the capture's sessions as pcapng to FILE instead of printing (needs a capture made with "
        "--capture-wire; with the secrets when key logging was on)."_s,
        u"FILE"_s);
    const QCommandLineOption keyLog(
        u"keylog"_s, u"Write the capture's key log lines to FILE (SSLKEYLOGFILE format, mode 0600)."_s, u"FILE"_s);
    const QCommandLineOption ladder(u"ladder"_s,
        u"Write the handshake ladder of one session to FILE instead of printing: an SVG or PNG picture by the "
        "suffix, Mermaid sequenceDiagram text for any other name."_s,
        u"FILE"_s);
    const QCommandLineOption session(
        u"session"_s, u"The session whose ladder --ladder writes (needed when the capture holds several)."_s, u"N"_s);
    const OutputOptions output;
    output.addTo(parser);
    parser.addOptions({pcap, keyLog, ladder, session});
    if (const auto exit = parseOrExit(parser, arguments))
        return *exit;
    if (parser.positionalArguments().size() != 1) {
        printError(u"show takes one capture file (see 'tlslab show --help')"_s);
        return ExitUsage;
    }
    std::unique_ptr<EventPrinter> printer;
    if (const auto exit = output.read(parser, printer))
        return *exit;

    const Result<Capture> read = CaptureReader::readFile(parser.positionalArguments().first());
    if (!read) {
        printError(read.error());
        return ExitFailed;
    }
    const Capture &capture = read.value();

    if (parser.isSet(ladder)) {
        if (const int code = writeLadder(capture, parser.value(session), parser.value(ladder)); code != ExitOk)
            return code;
    } else if (parser.isSet(session)) {
        printError(u"--session goes with --ladder"_s);
        return ExitUsage;
    }

    if (parser.isSet(pcap) || parser.isSet(keyLog)) {
        const QList<PcapngExport::Input> inputs = exportInputs(capture);
        if (parser.isSet(pcap)) {
            PcapngExport::Summary summary;
            const QByteArray data = PcapngExport::build(inputs, &summary);
            if (summary.sessions == 0) {
                printError(u"the capture holds no wire bytes to export (record them with serve --capture-wire)"_s);
                return ExitFailed;
            }
            if (const int code = writeSecretFile(parser.value(pcap), data); code != ExitOk)
                return code;
        }
        if (parser.isSet(keyLog)) {
            const QByteArray lines = PcapngExport::keyLog(inputs);
            if (lines.isEmpty()) {
                printError(u"the capture holds no key log lines (key logging was off)"_s);
                return ExitFailed;
            }
            if (const int code = writeSecretFile(parser.value(keyLog), lines); code != ExitOk)
                return code;
        }
    } else if (!parser.isSet(ladder)) {
        for (const Event &event : capture.events)
            printer->print(event);
    }

    if (!capture.stoppedReason.isEmpty())
        printError(u"note: "_s + capture.stoppedReason);
    if (capture.damaged) {
        printError(capture.damage);
        // A crash or kill cuts the last record: that is what captures are for, not damage to report as failure.
        const bool cutAtEnd = capture.damage.contains(u"truncated"_s);
        return cutAtEnd ? int(ExitOk) : int(ExitFailed);
    }
    return ExitOk;
}

} // namespace TlsLab::Cli
