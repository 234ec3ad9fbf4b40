// The timeline's CSV (quoting by RFC 4180, read back by a strict parser) and the export of a whole timeline in both
// formats, which the command line's --format csv/json prints line by line. Also the search rule the window's search
// box and the command line's --grep share.
#include "model/timeline/textsearch.h"
#include "model/timeline/timeline.h"
#include "model/timeline/timelineexport.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;

namespace {
// A strict RFC 4180 reader for one record (which may span lines inside quotes): the fields, or nothing when the text
// is not exactly one well-formed record ending in '\n'.
std::optional<QStringList> parseRecord(const QByteArray &line)
{
    const QString text = QString::fromUtf8(line);
    QStringList fields;
    QString field;
    bool quoted = false;
    bool afterQuote = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == u'"') {
                if (i + 1 < text.size() && text.at(i + 1) == u'"') {
                    field += u'"';
                    ++i;
                } else {
                    quoted = false;
                    afterQuote = true;
                }
            } else {
                field += c;
            }
            continue;
        }
        if (c == u',' || c == u'\n') {
            fields.append(field);
            field.clear();
            afterQuote = false;
            if (c == u'\n')
                return i == text.size() - 1 ? std::optional(fields) : std::nullopt;
            continue;
        }
        if (afterQuote || (c == u'"' && !field.isEmpty()))
            return std::nullopt; // text after a closing quote, or a quote inside an unquoted field
        if (c == u'"')
            quoted = true;
        else if (c == u'\r')
            return std::nullopt; // a bare CR must have been quoted
        else
            field += c;
    }
    return std::nullopt;
}

Event makeEvent(const QString &summary, quint64 session = 7)
{
    Event e;
    e.timeUs = 1795775663220616;
    e.session = session;
    e.side = Side::Client;
    e.kind = EventKind::DataReceived;
    e.severity = Severity::Warning;
    e.summary = summary;
    return e;
}
} // namespace

class TestTimelineExport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void csvField_data();
    void csvField();
    void csvLineRoundTrips_data();
    void csvLineRoundTrips();
    void exportWritesBothFormats();
    void textSearch_data();
    void textSearch();
};

void TestTimelineExport::csvField_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("field");
    QTest::newRow("plain") << u"Encrypted: TLSv1.3"_s << QByteArray("Encrypted: TLSv1.3");
    QTest::newRow("empty") << QString() << QByteArray();
    QTest::newRow("comma") << u"a, b"_s << QByteArray("\"a, b\"");
    QTest::newRow("quote") << u"say \"hi\""_s << QByteArray("\"say \"\"hi\"\"\"");
    QTest::newRow("newline") << u"one\ntwo"_s << QByteArray("\"one\ntwo\"");
    QTest::newRow("carriage return") << u"one\rtwo"_s << QByteArray("\"one\rtwo\"");
    QTest::newRow("only a quote") << u"\""_s << QByteArray("\"\"\"\"");
    QTest::newRow("UTF-8") << u"Grüße"_s << QByteArray("Gr\xc3\xbc\xc3\x9f\x65");
}

void TestTimelineExport::csvField()
{
    QFETCH(QString, text);
    QFETCH(QByteArray, field);
    QCOMPARE(TimelineExport::csvField(text), field);
}

void TestTimelineExport::csvLineRoundTrips_data()
{
    QTest::addColumn<QString>("summary");
    QTest::newRow("plain") << u"Data received: 5 bytes"_s;
    QTest::newRow("comma and quotes") << u"GET \"/a,b\" from \"x\", then more"_s;
    QTest::newRow("line breaks") << u"first\r\nsecond\nthird"_s;
    QTest::newRow("empty") << QString();
}

void TestTimelineExport::csvLineRoundTrips()
{
    QFETCH(QString, summary);
    const Event e = makeEvent(summary);
    const auto header = parseRecord(TimelineExport::csvHeader());
    QVERIFY(header);
    QCOMPARE(*header,
        (QStringList {u"time_us"_s, u"time"_s, u"session"_s, u"side"_s, u"kind"_s, u"severity"_s, u"summary"_s}));
    const auto fields = parseRecord(TimelineExport::csvLine(e));
    QVERIFY2(fields, TimelineExport::csvLine(e).constData());
    QCOMPARE(fields->size(), header->size());
    QCOMPARE(fields->at(0), u"1795775663220616"_s);
    QCOMPARE(fields->at(1), formatTimeUs(e.timeUs));
    QCOMPARE(fields->at(2), u"7"_s);
    QCOMPARE(fields->at(3), u"client"_s);
    QCOMPARE(fields->at(4), u"data-received"_s);
    QCOMPARE(fields->at(5), u"warning"_s);
    QCOMPARE(fields->at(6), summary);
}

void TestTimelineExport::exportWritesBothFormats()
{
    Timeline timeline;
    const QStringList summaries {u"first, with a comma"_s, u"second \"quoted\""_s, u"third\nline"_s};
    for (const QString &s : summaries)
        timeline.append(makeEvent(s));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    TimelineExport exporter(&timeline);

    const QString csvPath = dir.filePath(u"t.csv"_s);
    QCOMPARE(TimelineExport::formatForPath(csvPath), TimelineExport::Format::Csv);
    QSignalSpy finished(&exporter, &TimelineExport::finished);
    QVERIFY(exporter.start(csvPath, TimelineExport::Format::Csv));
    QVERIFY(finished.wait(10000));
    QVERIFY2(finished.first().at(1).toBool(), qPrintable(finished.first().at(2).toString()));
    QFile csv(csvPath);
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QByteArray expected = TimelineExport::csvHeader();
    for (qsizetype i = 0; i < timeline.eventCount(); ++i)
        expected += TimelineExport::csvLine(timeline.event(i));
    QCOMPARE(csv.readAll(), expected);

    const QString jsonPath = dir.filePath(u"t.jsonl"_s);
    QCOMPARE(TimelineExport::formatForPath(jsonPath), TimelineExport::Format::JsonLines);
    finished.clear();
    QVERIFY(exporter.start(jsonPath, TimelineExport::Format::JsonLines));
    QVERIFY(finished.wait(10000));
    QVERIFY(finished.first().at(1).toBool());
    QFile json(jsonPath);
    QVERIFY(json.open(QIODevice::ReadOnly));
    const QList<QByteArray> lines = json.readAll().split('\n');
    QCOMPARE(lines.size(), summaries.size() + 1); // the last line ends in '\n' too
    for (qsizetype i = 0; i < summaries.size(); ++i) {
        const QJsonObject o = QJsonDocument::fromJson(lines.at(i)).object();
        QCOMPARE(o.value(u"summary"_s).toString(), summaries.at(i));
        QCOMPARE(o, timeline.event(i).toJson());
    }
}

void TestTimelineExport::textSearch_data()
{
    QTest::addColumn<QString>("needle");
    QTest::addColumn<QString>("summary");
    QTest::addColumn<bool>("matches");
    QTest::newRow("substring") << u"crypt"_s << u"Encrypted: TLSv1.3"_s << true;
    QTest::newRow("case ignored") << u"TLSV1.3"_s << u"Encrypted: TLSv1.3"_s << true;
    QTest::newRow("spaces around ignored") << u"  http  "_s << u"First bytes: a plaintext HTTP request"_s << true;
    QTest::newRow("no match") << u"alert"_s << u"Encrypted: TLSv1.3"_s << false;
    QTest::newRow("inner spaces kept") << u"plaintext  HTTP"_s << u"a plaintext HTTP request"_s << false;
    QTest::newRow("empty matches all") << QString() << u"anything"_s << true;
    QTest::newRow("non-ASCII folded") << u"GRÜSSE"_s << u"grüsse"_s << true;
}

void TestTimelineExport::textSearch()
{
    QFETCH(QString, needle);
    QFETCH(QString, summary);
    QFETCH(bool, matches);
    QCOMPARE(TextSearch(needle).matches(makeEvent(summary)), matches);
}

QTEST_GUILESS_MAIN(TestTimelineExport)
#include "tst_timelineexport.moc"
