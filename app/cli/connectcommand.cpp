#include "app/cli/connectcommand.h"

#include "app/cli/commandline.h"
#include "app/cli/exitstatus.h"
#include "app/cli/jsonprinter.h"
#include "app/cli/ladderfile.h"
#include "model/capture/pcapngexport.h"
#include "model/diagnosis/diagnoser.h"
#include "model/lab.h"
#include "model/timeline/timeline.h"
#include "model/tls/client.h"
#include "model/tls/plaintextpayload.h"
#include "model/tls/reproducecommand.h"
#include "model/tls/socketfacts.h"
#include "model/tls/tlstext.h"

#include <QCborArray>
#include <QCoreApplication>
#include <QEventLoop>
#include <QJsonArray>
#include <QTimer>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;

namespace TlsLab::Cli {

namespace {

QJsonObject sessionResult(const Session &s, bool succeeded, quint64 discarded)
{
    QJsonObject o;
    o.insert(u"session"_s, double(s.id));
    o.insert(u"ok"_s, succeeded);
    o.insert(u"state"_s, stateName(s.state));
    if (!s.protocol.isEmpty())
        o.insert(u"protocol"_s, s.protocol);
    if (!s.cipher.isEmpty())
        o.insert(u"cipher"_s, s.cipher);
    if (!s.alpn.isEmpty())
        o.insert(u"alpn"_s, s.alpn);
    if (!s.group.isEmpty())
        o.insert(u"group"_s, s.group);
    if (s.side == Side::Client && !s.protocol.isEmpty())
        o.insert(u"resumed"_s, s.resumed);
    if (s.untrusted)
        o.insert(u"untrusted"_s, true);
    if (!s.reason.isEmpty())
        o.insert(u"reason"_s, s.reason);
    QJsonArray errors;
    for (const QSslError &e : s.verifyErrors)
        errors.append(TlsText::errorCode(e.error()));
    if (!errors.isEmpty())
        o.insert(u"verify_errors"_s, errors);
    o.insert(u"bytes_sent"_s, double(s.bytesSent));
    o.insert(u"bytes_received"_s, double(s.bytesReceived));
    if (discarded > 0)
        o.insert(u"bytes_discarded"_s, double(discarded));
    if (!s.diagnosis.isEmpty())
        o.insert(u"diagnosis"_s, s.diagnosis);
    return QJsonObject {{u"result"_s, o}};
}

} // namespace

int runConnectCommand(Lab &lab, const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Connect to HOST:PORT over TLS (verifying the server, as any client should) or deliberately in plaintext,\n"
        "print every event, then what the server sends until it closes or goes quiet.\n"
        "When it fails, the last lines (or the JSON result's \"diagnosis\") say what happened, why and what to change.\n\n"_s
        + connectExitStatusHelp());
    parser.addPositionalArgument(u"HOST:PORT"_s, u"Where to connect (default port 4481)."_s);
    const QCommandLineOption plaintext(u"plaintext"_s, u"Connect without TLS (to watch a TLS server refuse it)."_s);
    const QCommandLineOption sendText(u"send"_s, u"Text to send once connected (a newline is added)."_s, u"TEXT"_s);
    const QCommandLineOption sendHex(u"send-hex"_s, u"Raw bytes to send once connected, as hex."_s, u"HEX"_s);
    const QCommandLineOption http(u"http"_s, u"Send an HTTP GET request for / once connected."_s);
    const QCommandLineOption serverName(
        u"servername"_s, u"Server name for SNI and verification (default: HOST)."_s, u"NAME"_s);
    const QCommandLineOption noSystemCa(u"no-system-ca"_s, u"Trust only the --ca certificates."_s);
    const QCommandLineOption insecure(u"insecure"_s,
        u"Continue anyway when verification fails: the errors are "
        "recorded, then ignored for this connection only."_s);
    const QCommandLineOption timeout(
        u"timeout"_s, u"Connect and handshake timeout in milliseconds (default 10000)."_s, u"MS"_s, u"10000"_s);
    const QCommandLineOption printCommand(
        u"print-command"_s, u"Print the openssl s_client and curl commands that make the same connection, and exit."_s);
    const QCommandLineOption resume(u"resume"_s,
        u"Connect twice: the second connection resumes the session of the first (a ticket, or a TLS 1.2 session)."_s);
    const QCommandLineOption wait(
        u"wait"_s, u"How long the server may stay quiet before we close, in ms (default 1000)."_s, u"MS"_s, u"1000"_s);
    const QCommandLineOption pcap(u"pcap"_s,
        u"At exit, write the connection as pcapng for Wireshark to FILE (with the secrets when --keylog is on)."_s,
        u"FILE"_s);
    const QCommandLineOption maxBytes(u"max-bytes"_s,
        u"Keep at most this many bytes of what the server sends, then close; more is counted, not kept (default "
        "1048576; 0: no cap)."_s,
        u"N"_s, u"1048576"_s);
    const QCommandLineOption idleTimeout(u"idle-timeout"_s,
        u"Once connected, end after this many milliseconds without a byte either way, whatever --wait says "
        "(default 30000; 0: never)."_s,
        u"MS"_s, u"30000"_s);
    const QCommandLineOption ladder(u"ladder"_s,
        u"At exit, write the handshake ladder of the connection to FILE: an SVG or PNG picture by the suffix, "
        "Mermaid sequenceDiagram text for any other name."_s,
        u"FILE"_s);
    const OutputOptions output;
    const TlsCommandOptions tlsOptions(u"Client certificate file."_s,
        u"Trust the CA certificates in this file (as well as the system's)."_s,
        u"ALPN protocols to offer, comma-separated."_s);
    tlsOptions.addTo(parser);
    output.addTo(parser);
    parser.addOptions(
        {plaintext, sendText, sendHex, http, serverName, noSystemCa, insecure, timeout, wait, resume, printCommand});
    parser.addOptions({pcap});
    parser.addOptions({maxBytes, idleTimeout});
    parser.addOption(ladder);
    if (const auto exit = parseOrExit(parser, arguments))
        return *exit;
    if (parser.positionalArguments().size() != 1) {
        printError(u"connect takes one HOST:PORT (see 'tlslab connect --help')"_s);
        return ExitUsage;
    }
    const auto endpoint = parseEndpoint(parser.positionalArguments().first(), 4481);
    if (!endpoint) {
        printError(endpoint.error());
        return ExitUsage;
    }

    ClientConfig config;
    config.host = endpoint->host;
    config.port = endpoint->port;
    config.mode = parser.isSet(plaintext) ? ClientMode::Plaintext : ClientMode::Tls;
    config.serverName = parser.value(serverName);
    // The payloads are the window's: the same bytes for the same choice.
    const QString host = SocketFacts::endpoint(config.host, config.port);
    if (parser.isSet(sendText))
        config.payload = makePayload(PayloadKind::TextLine, parser.value(sendText), host).value();
    if (parser.isSet(sendHex)) {
        const Result<QByteArray> payload = makePayload(PayloadKind::RawHex, parser.value(sendHex), host);
        if (!payload) {
            printError(u"--send-hex takes hexadecimal bytes (e.g. 16030100): "_s + payload.error());
            return ExitUsage;
        }
        config.payload = payload.value();
    }
    if (parser.isSet(http))
        config.payload = makePayload(PayloadKind::HttpGet, u"/"_s, host).value();
    TlsCommandOptions::Values tlsValues;
    if (const auto exit = tlsOptions.read(parser, tlsValues))
        return *exit;
    config.clientIdentity = tlsValues.identity;
    config.caCertificates = tlsValues.caCertificates.value_or(QList<QSslCertificate> {});
    config.protocol = tlsValues.protocol.value_or(config.protocol);
    config.alpnProtocols = tlsValues.alpn;
    config.useSystemCaCertificates = !parser.isSet(noSystemCa);
    config.continueOnVerifyErrors = parser.isSet(insecure);
    // Verification is the default that matters most: turning it off is said every time, as --keylog and 0.0.0.0 are.
    if (config.continueOnVerifyErrors) {
        printWarning(u"--insecure: a certificate that fails verification is accepted for this connection (its errors "
                     "are recorded, then ignored)"_s);
    }
    // Nobody is asked: a certificate that fails verification is rejected at once, with the fatal alert that tells
    // the server why (unknown_ca, certificate_expired, ...), as a TLS client should.
    config.askOnVerifyErrors = false;
    config.tap = tlsValues.tap;
    config.keyLogPath = tlsValues.keyLogPath;
    bool ok = false;
    config.timeoutMs = parser.value(timeout).toInt(&ok);
    if (!ok || config.timeoutMs <= 0) {
        printError(u"--timeout takes a positive number of milliseconds"_s);
        return ExitUsage;
    }
    const int quietMs = parser.value(wait).toInt(&ok);
    if (!ok || quietMs < 0) {
        printError(u"--wait takes a number of milliseconds"_s);
        return ExitUsage;
    }
    const auto maxBytesValue = integerOption(parser, maxBytes, 0, qint64(1) << 30, u"bytes"_s);
    const auto idleMs = integerOption(parser, idleTimeout, 0, 24 * 3600 * 1000, u"milliseconds"_s);
    if (!maxBytesValue || !idleMs)
        return ExitUsage;
    config.maxReceiveBytes = *maxBytesValue;
    config.idleTimeoutMs = int(*idleMs);

    if (parser.isSet(ladder)) {
        if (const Status usable = checkLadderPath(parser.value(ladder)); !usable) {
            printError(usable.error());
            return ExitUsage;
        }
    }

    if (parser.isSet(printCommand)) {
        printReproduceCommands({opensslClientCommand(config), curlCommand(config)});
        return ExitOk;
    }

    std::unique_ptr<EventPrinter> printerOwner;
    if (const auto exit = output.read(parser, printerOwner))
        return *exit;
    const EventPrinter &printer = *printerOwner;

    Timeline &timeline = lab.timeline();
    // The lab outlives this function; the printer does not: the connection ends with it.
    const QObject printing;
    QObject::connect(
        &timeline, &Timeline::eventAppended, &printing, [&printer](const Event &event) { printer.print(event); });
    Diagnoser::of(&timeline); // judges the session when it ends (Session::diagnosis)
    // One connection: wait for the server to close, or to stay quiet for quietMs once it has accepted us.
    auto run = [&lab, &config, quietMs](const QByteArray &ticket) -> Client * {
        Client *client = lab.createClient();
        ClientConfig c = config;
        c.sessionTicket = ticket;
        QEventLoop loop; // one per connection: a quit meant for the first never ends the second early
        QTimer quiet;
        quiet.setSingleShot(true);
        quiet.setInterval(quietMs);
        QObject::connect(&quiet, &QTimer::timeout, client, [client, &loop] {
            client->close();
            loop.quit();
        });
        // A TLS 1.3 server judges a client certificate after our Finished: not before its ticket, data or alert
        // (or a short wait without any) is the connection counted as accepted.
        QObject::connect(client, &Client::accepted, &quiet, qOverload<>(&QTimer::start));
        QObject::connect(client, &Client::connected, &quiet, [&quiet, &c] {
            if (c.mode == ClientMode::Plaintext)
                quiet.start();
        });
        QObject::connect(client, &Client::dataReceived, &quiet, [&quiet] {
            if (quiet.isActive())
                quiet.start();
        });
        QObject::connect(client, &Client::verificationFailed, client, [client] { client->abandon(); });
        QObject::connect(client, &Client::finished, &loop, &QEventLoop::quit, Qt::QueuedConnection);
        QTimer::singleShot(0, client, [client, &c] { client->start(c); });
        loop.exec();
        return client;
    };
    Client *first = run({});
    Client &client = parser.isSet(resume) && first->succeeded() ? *run(first->sessionTicket()) : *first;

    const bool succeeded = client.succeeded();
    if (parser.isSet(pcap)) {
        const auto written = PcapngExport::writePcapng(timeline, {client.session().id}, parser.value(pcap));
        if (!written)
            printError(written.error());
    }
    bool ladderWritten = true;
    if (parser.isSet(ladder)) {
        const Status written = writeLadderFile(timeline, client.session().id, parser.value(ladder));
        if (!written)
            printError(written.error());
        ladderWritten = bool(written);
    }
    Session s = client.session();
    // The timeline's copy carries the verdict the diagnoser added when the session ended.
    s.diagnosis = timeline.session(s.id).diagnosis;
    const Verdict verdict = Verdict::fromJson(s.diagnosis);
    if (printer.isText()) {
        if (!client.received().isEmpty())
            printer.printLine(u"--- received ---\n"_s + QString::fromUtf8(client.received()));
        if (client.bytesDiscarded() > 0)
            printer.printLine(
                u"--- and %1 more bytes, counted, not kept (--max-bytes) ---"_s.arg(client.bytesDiscarded()));
        printer.printLine(succeeded ? u"OK: %1"_s.arg(s.protocol.isEmpty() ? u"plaintext delivered"_s
                                                                           : s.protocol + u", "_s + s.cipher
                                      + (s.group.isEmpty() ? QString() : u", "_s + s.group)
                                      + (s.resumed ? u", resumed"_s : QString()))
                                    : u"FAILED: %1"_s.arg(s.reason.isEmpty() ? stateName(s.state) : s.reason));
        if (!verdict.causeCode.isEmpty())
            printer.printLine(verdict.toTextLines().join(u'\n'));
    } else if (printer.format() == EventPrinter::Format::Json) {
        printer.printObject(sessionResult(s, succeeded, client.bytesDiscarded()));
    } else if (!succeeded) {
        // CSV holds events only; the reason goes where errors go.
        printError(u"FAILED: %1"_s.arg(s.reason.isEmpty() ? stateName(s.state) : s.reason));
    }
    if (succeeded)
        return ladderWritten ? int(ExitOk) : int(ExitFailed);
    return verdict.causeCode.isEmpty() ? int(ExitFailed) : exitStatusFor(verdict);
}

} // namespace TlsLab::Cli
