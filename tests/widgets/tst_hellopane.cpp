// The "Hello" tab of the session details: the dissection tree lists the extensions in the order they were sent and
// marks GREASE, post-quantum groups and ECH; the fingerprints' copy buttons put the model's fingerprints on the
// clipboard; the bar's segments add up to the hello's size on the wire, with the record boundaries where the records
// really split. Hellos from the seed corpus, from openssl s_client and raw bytes sent to our listener over loopback.
#include "model/capture/wirestore.h"
#include "model/lab.h"
#include "model/timeline/timeline.h"
#include "model/tls/client.h"
#include "model/tls/fingerprints.h"
#include "model/tls/grease.h"
#include "model/tls/hellodissection.h"
#include "model/tls/listener.h"
#include "peerprocess.h"
#include "testpki.h"
#include "widgets/hellobar.h"
#include "widgets/hellopane.h"
#include "widgets/hellotree.h"
#include "widgets/sessiondetails.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

#include <algorithm>
#include <memory>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using namespace TlsLab::Widgets;

namespace {

QByteArray corpusFile(const QString &name)
{
    QFile file(QStringLiteral(TLSLAB_CORPUS_DIR) + u"/clienthello/"_s + name);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// A hello as a ClientHello event of the listener carries it.
QCborMap asEvent(const ClientHelloDissection &hello)
{
    QCborMap m = hello.toCbor();
    m.insert(u"type"_s, u"ClientHello"_s);
    m.insert(u"type_code"_s, 1);
    m.insert(u"direction"_s, u"received"_s);
    return m;
}

QList<int> shownExtensionTypes(const HelloTree *tree, int message = 0)
{
    QList<int> out;
    for (const QTreeWidgetItem *item : tree->extensionItems(message))
        out.append(item->data(HelloTree::FieldColumn, HelloTree::ExtensionTypeRole).toInt());
    return out;
}

QList<int> sentExtensionTypes(const ClientHelloDissection &hello)
{
    QList<int> out;
    for (const HelloExtension &x : hello.extensions)
        out.append(x.type);
    return out;
}

QTreeWidgetItem *extensionItem(const HelloTree *tree, int type)
{
    for (QTreeWidgetItem *item : tree->extensionItems()) {
        if (item->data(HelloTree::FieldColumn, HelloTree::ExtensionTypeRole).toInt() == type)
            return item;
    }
    return nullptr;
}

// Every row of a subtree that carries the mark.
int marked(const QTreeWidgetItem *item, const QString &mark)
{
    int n = item->data(HelloTree::FieldColumn, HelloTree::MarkRole).toString() == mark ? 1 : 0;
    for (int i = 0; i < item->childCount(); ++i)
        n += marked(item->child(i), mark);
    return n;
}

// The bytes one end received (or sent), in order.
QByteArray wireBytes(const SessionWire &wire, bool sent)
{
    QByteArray out;
    for (const WireChunk &chunk : wire.chunks) {
        if (chunk.sent == sent)
            out += chunk.bytes;
    }
    return out;
}

// The segments cover [0, total) without gaps or overlaps.
bool contiguous(const HelloBar &bar)
{
    qsizetype at = 0;
    for (const HelloBar::Segment &s : bar.segments()) {
        if (s.offset != at || s.bytes <= 0)
            return false;
        at += s.bytes;
    }
    return at == bar.totalBytes();
}

} // namespace

class TestHelloPane : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dataDir;
    std::unique_ptr<Lab> m_lab;

    quint64 endedServerSession() const
    {
        for (const Session &s : m_lab->timeline().sessions()) {
            if (s.side == Side::Server && !s.isOpen())
                return s.id;
        }
        return 0;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dataDir.isValid());
        qputenv("TLSLAB_DATA_DIR", m_dataDir.path().toLocal8Bit());
    }

    void init() { m_lab = std::make_unique<Lab>(); }
    void cleanup() { m_lab.reset(); }

    void treeOfACorpusHelloMarksGreasePostQuantumAndEch()
    {
        const QByteArray bytes = corpusFile(u"synthetic-pq-ech.bin"_s);
        QVERIFY(!bytes.isEmpty());
        const ClientHelloDissection hello = dissectClientHelloRecords(bytes);
        QCOMPARE(hello.status, DissectionStatus::Complete);
        HelloTree tree;
        tree.setHellos({asEvent(hello)});
        QCOMPARE(tree.topLevelItemCount(), 1);
        QCOMPARE(shownExtensionTypes(&tree), sentExtensionTypes(hello));

        // GREASE: the first cipher suite, the first and the last extension, a group, a version...: all greyed.
        const QTreeWidgetItem *top = tree.topLevelItem(0);
        int greaseValues = 0;
        for (quint16 suite : hello.cipherSuites)
            greaseValues += isGrease(suite);
        for (const HelloExtension &x : hello.extensions)
            greaseValues += x.isGrease();
        QVERIFY(greaseValues >= 3);
        QVERIFY2(marked(top, u"grease"_s) >= greaseValues, qPrintable(QString::number(marked(top, u"grease"_s))));
        const QTreeWidgetItem *greaseExtension = tree.extensionItems().constFirst();
        QVERIFY(hello.extensions.constFirst().isGrease());
        QCOMPARE(greaseExtension->data(HelloTree::FieldColumn, HelloTree::MarkRole).toString(), u"grease"_s);
        QCOMPARE(greaseExtension->foreground(HelloTree::FieldColumn).color(),
            tree.palette().color(QPalette::Disabled, QPalette::Text));

        // Post-quantum: key_share and supported_groups are flagged, and the group rows inside them.
        QVERIFY(hello.offersPostQuantum());
        QTreeWidgetItem *keyShare = extensionItem(&tree, 0x0033);
        QVERIFY(keyShare);
        QCOMPARE(keyShare->data(HelloTree::FieldColumn, HelloTree::MarkRole).toString(), u"post-quantum"_s);
        QVERIFY(keyShare->text(HelloTree::FieldColumn).startsWith(HelloTree::postQuantumMark()));
        QVERIFY2(keyShare->text(HelloTree::ValueColumn).contains(u"X25519MLKEM768"_s),
            qPrintable(keyShare->text(HelloTree::ValueColumn)));
        QVERIFY(marked(keyShare, u"post-quantum"_s) >= 2);
        QTreeWidgetItem *groups = extensionItem(&tree, 0x000a);
        QVERIFY(groups && groups->data(HelloTree::FieldColumn, HelloTree::MarkRole).toString() == u"post-quantum"_s);
        // ECH: flagged, with the note that it cannot be told from GREASE.
        QTreeWidgetItem *ech = extensionItem(&tree, 0xfe0d);
        QVERIFY(ech);
        QCOMPARE(ech->data(HelloTree::FieldColumn, HelloTree::MarkRole).toString(), u"ech"_s);
        QVERIFY(ech->toolTip(HelloTree::FieldColumn).contains(u"GREASE cannot be told apart"_s));
        // A hello without any of them carries no mark.
        HelloTree plain;
        plain.setHellos({asEvent(dissectClientHelloRecords(corpusFile(u"openssl-tls12.bin"_s)))});
        QCOMPARE(marked(plain.topLevelItem(0), u"post-quantum"_s), 0);
        QCOMPARE(marked(plain.topLevelItem(0), u"ech"_s), 0);
    }

    void barSegmentsAddUpToTheHello_data()
    {
        QTest::addColumn<QString>("file");
        for (const QString &file : QDir(QStringLiteral(TLSLAB_CORPUS_DIR) + u"/clienthello"_s).entryList(QDir::Files))
            QTest::newRow(qPrintable(file)) << file;
    }

    void barSegmentsAddUpToTheHello()
    {
        QFETCH(QString, file);
        const QByteArray bytes = corpusFile(file);
        const ClientHelloDissection hello = dissectClientHelloRecords(bytes);
        QCOMPARE(hello.status, DissectionStatus::Complete);
        HelloBar bar;
        bar.setHello(asEvent(hello));
        // The corpus files are the hello's records exactly.
        QCOMPARE(bar.totalBytes(), bytes.size());
        QVERIFY(contiguous(bar));
        QCOMPARE(bar.partBytes(HelloBar::Part::CipherSuites), 2 + 2 * hello.cipherSuites.size());
        qsizetype keyShares = 0, padding = 0, ech = 0;
        for (const HelloExtension &x : hello.extensions) {
            if (x.type == 0x0033)
                keyShares += 4 + x.size;
            else if (x.type == 0x0015)
                padding += 4 + x.size;
            else if (x.type == 0xfe0d)
                ech += 4 + x.size;
        }
        QCOMPARE(bar.partBytes(HelloBar::Part::KeyShares), keyShares);
        QCOMPARE(bar.partBytes(HelloBar::Part::Padding), padding);
        QCOMPARE(bar.partBytes(HelloBar::Part::Ech), ech);
        QCOMPARE(bar.recordCount(), 1);
        QVERIFY(bar.recordBoundaries().isEmpty());
        // Each segment's tooltip names what it is and its byte count; the bar's pixels lead to the right segment.
        bar.resize(1000, bar.heightForWidth(1000));
        for (qsizetype i = 0; i < bar.segments().size(); ++i) {
            const HelloBar::Segment &segment = bar.segments().at(i);
            const QString tip = bar.segmentToolTip(i);
            QVERIFY2(tip.contains(segment.what) && tip.contains(u"%1 byte"_s.arg(segment.bytes)), qPrintable(tip));
        }
        const qsizetype widest = std::max_element(bar.segments().cbegin(), bar.segments().cend(),
                                     [](const auto &a, const auto &b) { return a.bytes < b.bytes; })
            - bar.segments().cbegin();
        const HelloBar::Segment &big = bar.segments().at(widest);
        const int middle = 6 // the bar's margin
            + int((big.offset + big.bytes / 2.0) * (bar.width() - 12) / double(bar.totalBytes()));
        QCOMPARE(bar.segmentAt(middle), widest);
    }

    void barMarksWhereTheRecordsSplitTheHello()
    {
        // The post-quantum hello re-cut into records of at most 512 bytes, as a client with a small send fragment
        // does: the bar grows by the extra headers and marks each record where it starts.
        const ClientHelloDissection original = dissectClientHelloRecords(corpusFile(u"synthetic-pq-ech.bin"_s));
        const QByteArray message = corpusFile(u"synthetic-pq-ech.bin"_s).mid(5);
        QByteArray wire;
        QList<qsizetype> payloads;
        for (qsizetype at = 0; at < message.size(); at += 512) {
            const QByteArray piece = message.mid(at, 512);
            wire += QByteArray::fromHex("160301") + char(piece.size() >> 8) + char(piece.size() & 0xff) + piece;
            payloads.append(piece.size());
        }
        const ClientHelloDissection hello = dissectClientHelloRecords(wire);
        QCOMPARE(hello.status, DissectionStatus::Complete);
        QCOMPARE(hello.recordCount, 3);
        QCOMPARE(sentExtensionTypes(hello), sentExtensionTypes(original));
        HelloBar bar;
        bar.setHello(asEvent(hello), payloads, {700});
        QCOMPARE(bar.totalBytes(), wire.size());
        QVERIFY(contiguous(bar));
        QCOMPARE(bar.recordCount(), 3);
        QCOMPARE(bar.recordBoundaries(), (QList<qsizetype> {5 + 512, 2 * (5 + 512)}));
        QCOMPARE(bar.readBoundaries(), QList<qsizetype> {700});
        for (qsizetype at : bar.recordBoundaries()) {
            qsizetype header = -1;
            for (qsizetype j = 0; j < bar.segments().size(); ++j) {
                if (bar.segments().at(j).offset == at)
                    header = j;
            }
            QVERIFY2(header >= 0, "a segment starts at each record boundary");
            QCOMPARE(bar.segments().at(header).bytes, 5); // the record header
            QCOMPARE(wire.mid(at, 3), QByteArray::fromHex("160301"));
        }
        // Without the wire, the details' record count still adds the headers up.
        HelloBar unknown;
        unknown.setHello(asEvent(hello));
        QCOMPARE(unknown.totalBytes(), wire.size());
        QVERIFY(!unknown.boundariesKnown());
    }

    void helloTabOfAnOpensslClientSession()
    {
        ListenerConfig config;
        config.port = 0;
        QVERIFY(m_lab->listener().start(config).ok());
        SessionDetails details(&m_lab->timeline());
        details.resize(900, 700);
        details.show();
        details.showHello();
        TlsLab::Test::PeerProcess client;
        QVERIFY(client.start(u"openssl"_s,
            {u"s_client"_s, u"-connect"_s, u"127.0.0.1:%1"_s.arg(m_lab->listener().port()), u"-servername"_s,
                u"hello.test"_s, u"-alpn"_s, u"h2,http/1.1"_s}));
        QVERIFY(client.finish());
        QTRY_VERIFY_WITH_TIMEOUT(endedServerSession() != 0, 10000);
        const quint64 id = endedServerSession();
        details.showSession(id);
        HelloPane *pane = details.hello();
        QVERIFY(pane->isVisible());
        QCOMPARE(pane->tree()->topLevelItemCount(), 2); // ClientHello received, ServerHello sent
        QCOMPARE(pane->tree()->topLevelItem(0)->text(0), u"ClientHello"_s);
        QCOMPARE(pane->tree()->topLevelItem(1)->text(0), u"ServerHello"_s);

        // What the wire carried, dissected here on its own: the tree shows the same extensions in the same order.
        const SessionWire wire = WireStore::find(&m_lab->timeline())->wire(id);
        const QByteArray received = wireBytes(wire, false);
        const ClientHelloDissection hello = dissectClientHelloRecords(received);
        QCOMPARE(hello.status, DissectionStatus::Complete);
        QCOMPARE(shownExtensionTypes(pane->tree()), sentExtensionTypes(hello));
        QVERIFY(extensionItem(pane->tree(), 0x0000)->text(HelloTree::ValueColumn).contains(u"hello.test"_s));
        QVERIFY(extensionItem(pane->tree(), 0x0010)->text(HelloTree::ValueColumn).contains(u"h2, http/1.1"_s));
        QVERIFY(extensionItem(pane->tree(), 0x0033)->text(HelloTree::ValueColumn).contains(u"x25519"_s));

        // The bar: the hello as it came off the wire, in the records the wire shows.
        HelloBar *bar = pane->bar();
        QCOMPARE(bar->totalBytes(), hello.messageSize + 5 * hello.recordCount);
        QVERIFY(contiguous(*bar));
        QVERIFY(bar->boundariesKnown());
        QCOMPARE(bar->recordCount(), hello.recordCount);

        // The copy buttons put the fingerprints computed from those wire bytes on the clipboard.
        const ClientFingerprints client4 = clientFingerprints(hello);
        const QByteArray sent = wireBytes(wire, true);
        const qsizetype serverHelloLength = (qsizetype(quint8(sent.at(3))) << 8) | quint8(sent.at(4));
        const ServerFingerprints server
            = serverFingerprints(dissectServerHello(QByteArrayView(sent).sliced(5, serverHelloLength)));
        QVERIFY(!server.ja3s.isEmpty());
        const QList<std::pair<QString, QString>> expected {{u"ja3"_s, client4.ja3}, {u"ja3_md5"_s, client4.ja3Md5},
            {u"ja3n"_s, client4.ja3n}, {u"ja3n_md5"_s, client4.ja3nMd5}, {u"ja4"_s, client4.ja4},
            {u"ja4_r"_s, client4.ja4r}, {u"ja3s"_s, server.ja3s}, {u"ja3s_md5"_s, server.ja3sMd5}};
        for (const auto &[key, value] : expected) {
            QVERIFY2(!value.isEmpty(), qPrintable(key));
            QToolButton *copy = pane->copyButton(key);
            QVERIFY(copy && copy->isEnabled() && copy->isVisible());
            QApplication::clipboard()->setText(u"before"_s);
            QTest::mouseClick(copy, Qt::LeftButton);
            QCOMPARE(QApplication::clipboard()->text(), value);
        }
        QVERIFY(client4.ja4.startsWith(u"t13d"_s));

        // Another session, then none: the tab follows.
        details.showSession(0);
        QCOMPARE(pane->tree()->topLevelItemCount(), 0);
        QVERIFY(!pane->copyButton(u"ja3"_s)->isEnabled());
        QCOMPARE(pane->bar()->totalBytes(), 0);
    }

    void helloRetryRequestFromAnOpensslServer()
    {
        // openssl s_server takes only P-384; our client's first hello carries an X25519 share: the server asks again.
        // The client's tab shows the four hellos in order, the retry naming the group it asks for, and the JA3S of
        // the real ServerHello.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        TlsLab::Test::TestPki pki(dir.path());
        const TlsLab::Test::CertFiles files
            = pki.makeSelfSigned(u"server"_s, u"localhost"_s, u"DNS:localhost,IP:127.0.0.1"_s);
        QVERIFY2(!files.certificate.isEmpty(), qPrintable(pki.lastError()));
        const quint16 port = TlsLab::Test::freePort();
        QVERIFY(port);
        TlsLab::Test::PeerProcess server;
        QVERIFY(server.start(u"openssl"_s,
            {u"s_server"_s, u"-accept"_s, u"127.0.0.1:%1"_s.arg(port), u"-cert"_s, files.certificate, u"-key"_s,
                files.key, u"-naccept"_s, u"1"_s, u"-groups"_s, u"P-384"_s, u"-tls1_3"_s},
            {}, false));
        QVERIFY(server.waitForOutput("ACCEPT"));

        // The tab is open on the session from its start and follows it as the hellos arrive.
        SessionDetails details(&m_lab->timeline());
        details.show();
        details.showHello();
        Client *client = m_lab->createClient();
        ClientConfig config;
        config.host = u"127.0.0.1"_s;
        config.port = port;
        config.useSystemCaCertificates = false;
        config.caCertificates = QSslCertificate::fromPath(files.certificate);
        QSignalSpy encrypted(client, &Client::encrypted);
        client->start(config);
        const quint64 id = client->sessionId();
        details.showSession(id);
        QVERIFY(encrypted.wait(10000));
        HelloPane *pane = details.hello();
        QTRY_COMPARE_WITH_TIMEOUT(pane->tree()->topLevelItemCount(), 4, 5000);
        QVERIFY(!pane->bar()->boundariesKnown()); // the wire bytes come with the session's end
        client->close();
        QTRY_VERIFY_WITH_TIMEOUT(!m_lab->timeline().session(id).isOpen(), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(pane->bar()->boundariesKnown(), 5000);

        QStringList shown;
        for (int i = 0; i < pane->tree()->topLevelItemCount(); ++i)
            shown.append(pane->tree()->topLevelItem(i)->text(0));
        QCOMPARE(shown, (QStringList {u"ClientHello"_s, u"HelloRetryRequest"_s, u"ClientHello"_s, u"ServerHello"_s}));
        const QTreeWidgetItem *retry = pane->tree()->topLevelItem(1);
        bool asksForP384 = false;
        for (int i = 0; i < retry->childCount(); ++i) {
            asksForP384 = asksForP384
                || (retry->child(i)->text(0) == HelloTree::tr("Asks for group")
                    && retry->child(i)->text(1).contains(u"secp384r1"_s));
        }
        QVERIFY(asksForP384);
        // The second ClientHello carries the P-384 share the server asked for.
        const QTreeWidgetItem *secondShare = nullptr;
        for (QTreeWidgetItem *item : pane->tree()->extensionItems(2)) {
            if (item->data(HelloTree::FieldColumn, HelloTree::ExtensionTypeRole).toInt() == 0x0033)
                secondShare = item;
        }
        QVERIFY(secondShare && secondShare->text(HelloTree::ValueColumn).contains(u"secp384r1"_s));
        // JA3S is the ServerHello's, not the retry's.
        QCOMPARE(pane->fingerprint(u"ja3s"_s), pane->hellos().at(3).value(u"ja3s"_s).toString());
        QVERIFY(!pane->fingerprint(u"ja3s"_s).isEmpty());
        // The bar is the first ClientHello as the client sent it, records read from its wire bytes.
        const QByteArray sent = wireBytes(WireStore::find(&m_lab->timeline())->wire(id), true);
        const ClientHelloDissection first = dissectClientHelloRecords(sent);
        QCOMPARE(first.status, DissectionStatus::Complete);
        QVERIFY(pane->bar()->boundariesKnown());
        QCOMPARE(pane->bar()->totalBytes(), first.messageSize + 5 * first.recordCount);
        QCOMPARE(pane->fingerprint(u"ja4"_s), clientFingerprints(first).ja4);
        QVERIFY(server.finish());
    }

    void rawPostQuantumHelloSentToTheListener()
    {
        // A hello with GREASE, a post-quantum key share and ECH, from a plain TCP socket: what the listener's tap
        // recorded is what the tab shows, in the order sent.
        ListenerConfig config;
        config.port = 0;
        QVERIFY(m_lab->listener().start(config).ok());
        const QByteArray bytes = corpusFile(u"synthetic-pq-ech.bin"_s);
        QTcpSocket socket;
        socket.connectToHost(u"127.0.0.1"_s, m_lab->listener().port());
        QVERIFY(socket.waitForConnected(5000));
        socket.write(bytes);
        QVERIFY(socket.waitForBytesWritten(5000));
        // The listener answers (a HelloRetryRequest or an alert) or closes; either way it has read the hello.
        QSignalSpy readyRead(&socket, &QTcpSocket::readyRead);
        QSignalSpy closed(&socket, &QTcpSocket::disconnected);
        QTRY_VERIFY_WITH_TIMEOUT(!readyRead.isEmpty() || !closed.isEmpty(), 10000);
        socket.abort();
        QTRY_VERIFY_WITH_TIMEOUT(endedServerSession() != 0, 10000);

        SessionDetails details(&m_lab->timeline());
        details.show();
        details.showHello();
        details.showSession(endedServerSession());
        HelloTree *tree = details.hello()->tree();
        QVERIFY(tree->topLevelItemCount() >= 1);
        QCOMPARE(tree->topLevelItem(0)->text(0), u"ClientHello"_s);
        QCOMPARE(shownExtensionTypes(tree), sentExtensionTypes(dissectClientHelloRecords(bytes)));
        QCOMPARE(
            extensionItem(tree, 0x2a2a)->data(HelloTree::FieldColumn, HelloTree::MarkRole).toString(), u"grease"_s);
        QCOMPARE(extensionItem(tree, 0x0033)->data(HelloTree::FieldColumn, HelloTree::MarkRole).toString(),
            u"post-quantum"_s);
        QCOMPARE(extensionItem(tree, 0xfe0d)->data(HelloTree::FieldColumn, HelloTree::MarkRole).toString(), u"ech"_s);
        QCOMPARE(details.hello()->bar()->totalBytes(), bytes.size());
        QVERIFY(details.hello()->bar()->partBytes(HelloBar::Part::KeyShares) > 1200);
        QVERIFY(!details.hello()->fingerprint(u"ja4"_s).isEmpty());
        QCOMPARE(details.hello()->fingerprint(u"ja4"_s), clientFingerprints(dissectClientHelloRecords(bytes)).ja4);
    }
};

QTEST_MAIN(TestHelloPane)
#include "tst_hellopane.moc"
