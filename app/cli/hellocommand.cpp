#include "app/cli/hellocommand.h"

#include "app/cli/commandline.h"
#include "model/certs/certificateio.h"
#include "model/tls/fingerprints.h"
#include "model/tls/hellodissection.h"

#include <QCborArray>
#include <QCborValue>
#include <QCommandLineParser>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <cctype>
#include <cstdio>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;

namespace TlsLab::Cli {

namespace {

void out(const QByteArray &bytes)
{
    std::fwrite(bytes.constData(), 1, size_t(bytes.size()), stdout);
    std::fflush(stdout);
}

// Hex (any whitespace and colons between the digits) when the input is only that; the raw bytes otherwise.
Model::Result<QByteArray> decodeInput(const QByteArray &input)
{
    QByteArray digits;
    digits.reserve(input.size());
    for (char c : input) {
        if (std::isxdigit(static_cast<unsigned char>(c)))
            digits.append(c);
        else if (c != ':' && !std::isspace(static_cast<unsigned char>(c)))
            return input; // not hex: raw bytes
    }
    if (digits.isEmpty())
        return Model::Result<QByteArray>::failure(u"the input is empty"_s);
    if (digits.size() % 2)
        return Model::Result<QByteArray>::failure(
            u"the input looks like hex but has an odd number of digits (%1)"_s.arg(digits.size()));
    return QByteArray::fromHex(digits);
}

QString scalarText(const QCborValue &v)
{
    if (v.isString())
        return v.toString();
    if (v.isBool())
        return v.toBool() ? u"yes"_s : u"no"_s;
    if (v.isInteger())
        return QString::number(v.toInteger());
    return v.toVariant().toString();
}

// A readable tree: maps as "key: value" lines, lists indented below their key; a list entry with a name and a
// value or type (a cipher suite, an extension, a group) on one line.
void printTree(QString &text, const QCborValue &value, int depth);

void printMap(QString &text, const QCborMap &map, int depth)
{
    const QString indent(depth * 2, u' ');
    for (auto it = map.constBegin(); it != map.constEnd(); ++it) {
        const QString key = it.key().toString();
        const QCborValue v = it.value();
        if (v.isMap() || v.isArray()) {
            const qsizetype count = v.isMap() ? v.toMap().size() : v.toArray().size();
            if (v.isArray() && count == 0) {
                text += indent + key + u": (none)\n"_s;
                continue;
            }
            bool scalars = v.isArray();
            for (const QCborValue &item : v.toArray())
                scalars = scalars && !item.isMap() && !item.isArray();
            if (scalars) {
                QStringList items;
                for (const QCborValue &item : v.toArray())
                    items.append(scalarText(item));
                text += indent + key + u": "_s + items.join(u", "_s) + u'\n';
                continue;
            }
            text += indent + key + (v.isArray() ? u" (%1):\n"_s.arg(count) : u":\n"_s);
            printTree(text, v, depth + 1);
        } else {
            text += indent + key + u": "_s + scalarText(v) + u'\n';
        }
    }
}

void printTree(QString &text, const QCborValue &value, int depth)
{
    const QString indent(depth * 2, u' ');
    if (value.isMap()) {
        printMap(text, value.toMap(), depth);
        return;
    }
    for (const QCborValue &item : value.toArray()) {
        if (!item.isMap()) {
            text += indent + scalarText(item) + u'\n';
            continue;
        }
        QCborMap entry = item.toMap();
        const QString code = entry.take(u"type"_s).toString() + entry.take(u"value"_s).toString();
        const QString name = entry.take(u"name"_s).toString();
        QString line = indent + code + (name.isEmpty() || name.contains(code) ? QString() : u' ' + name);
        if (entry.contains(u"size"_s))
            line += u" (%1 bytes)"_s.arg(entry.take(u"size"_s).toInteger());
        // Flags and small scalars stay on the line; lists and maps go below it.
        QCborMap nested;
        for (auto it = entry.constBegin(); it != entry.constEnd(); ++it) {
            const QCborValue v = it.value();
            if (v.isBool() && v.toBool())
                line += u" [%1]"_s.arg(it.key().toString());
            else if (!v.isMap() && !v.isArray() && !v.isBool())
                line += u", %1: %2"_s.arg(it.key().toString(), scalarText(v));
            else if (v.isMap() || v.isArray())
                nested.insert(it.key(), v);
        }
        text += line + u'\n';
        if (!nested.isEmpty())
            printMap(text, nested, depth + 1);
    }
}

} // namespace

int runHelloCommand(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Dissect a TLS ClientHello: every field and extension in the order sent, by name, and its JA3, JA3N,\n"
        "JA4 and JA4_r fingerprints. FILE holds the ClientHello as hex (spaces, newlines and colons allowed) or as\n"
        "raw bytes: TLS records as sent on the wire, or the bare handshake message. '-' reads standard input."_s);
    parser.addPositionalArgument(u"FILE"_s, u"The ClientHello (hex or raw bytes), or - for standard input."_s);
    const QCommandLineOption text(u"text"_s, u"Print a readable tree instead of JSON."_s);
    parser.addOption(text);
    if (const auto exit = parseOrExit(parser, arguments))
        return *exit;
    if (parser.positionalArguments().size() != 1) {
        printError(u"hello takes one FILE, or - for standard input (see 'tlslab hello --help')"_s);
        return ExitUsage;
    }
    const QString path = parser.positionalArguments().first();
    // A ClientHello is at most a few records long: hex of 1 MB is far more than any; an endless input is an error.
    constexpr qint64 MaxInput = 1024 * 1024;
    QByteArray raw;
    if (path == u"-") {
        QFile file;
        if (!file.open(stdin, QIODevice::ReadOnly)) {
            printError(u"%1: cannot read: %2"_s.arg(path, file.errorString()));
            return ExitFailed;
        }
        raw = file.read(MaxInput + 1);
        if (raw.size() > MaxInput) {
            printError(u"standard input holds more than 1 MB; hello inputs are at most 1 MB"_s);
            return ExitFailed;
        }
    } else {
        const auto data = CertificateIo::readFile(path, MaxInput, u"hello inputs"_s);
        if (!data) {
            printError(data.error());
            return ExitFailed;
        }
        raw = data.value();
    }
    const auto input = decodeInput(raw);
    if (!input) {
        printError(u"%1: %2"_s.arg(path, input.error()));
        return ExitFailed;
    }
    const QByteArray &bytes = input.value();
    const quint8 first = quint8(bytes.front());
    if (first != 0x16 && first != 0x01 && !(first & 0x80)) {
        printError(u"%1: not a ClientHello: the first byte is 0x%2; a ClientHello starts with 0x16 (a TLS record) or "
                   "0x01 (the handshake message)"_s.arg(path, QString::number(first, 16).rightJustified(2, u'0')));
        return ExitFailed;
    }
    const ClientHelloDissection hello = first == 0x01 ? dissectClientHello(bytes) : dissectClientHelloRecords(bytes);
    if (hello.status == DissectionStatus::NeedMore) {
        printError(hello.messageSize > 0
                ? u"%1: truncated at byte %2: the ClientHello message is %3 bytes, only part of it is here"_s.arg(
                    path, QString::number(bytes.size()), QString::number(hello.messageSize))
                : u"%1: truncated at byte %2: not even the ClientHello's header is complete"_s.arg(
                    path, QString::number(bytes.size())));
        return ExitFailed;
    }
    if (hello.status == DissectionStatus::Error) {
        printError(u"%1: not a well-formed ClientHello: %2"_s.arg(path, hello.error));
        return ExitFailed;
    }
    const QCborMap dissection = hello.toCbor();
    const QCborMap fingerprints = clientFingerprints(hello).toCbor();
    if (parser.isSet(text)) {
        QString tree = u"ClientHello\n"_s;
        printMap(tree, dissection, 1);
        tree += u"fingerprints\n"_s;
        printMap(tree, fingerprints, 1);
        out(tree.toUtf8());
    } else {
        const QJsonObject object {
            {u"client_hello"_s, dissection.toJsonObject()}, {u"fingerprints"_s, fingerprints.toJsonObject()}};
        out(QJsonDocument(object).toJson(QJsonDocument::Compact) + '\n');
    }
    return ExitOk;
}

} // namespace TlsLab::Cli
