// `tlslab hello` as a user runs it (TLSLAB_BINARY): real ClientHellos from the fuzzers' seed corpus (recorded from
// openssl, gnutls-cli, curl and Qt by tst_hellodissection), as raw records, as a bare message, as hex with colons and
// newlines on standard input; and every way the input can be wrong.
#include "model/tls/fingerprints.h"
#include "model/tls/hellodissection.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;

class TestHelloCli : public QObject
{
    Q_OBJECT

private:
    struct Run
    {
        int code = -1;
        QByteArray out;
        QByteArray err;
    };
    Run tlslab(const QStringList &args, const QByteArray &input = {})
    {
        QProcess p;
        p.start(m_binary, QStringList {u"hello"_s} + args);
        p.write(input);
        p.closeWriteChannel();
        p.waitForFinished(30000);
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
    }
    QString write(const QString &name, const QByteArray &bytes)
    {
        QFile f(m_dir.filePath(name));
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write(bytes);
        return f.fileName();
    }
    static QByteArray corpus(const QString &name)
    {
        QFile f(QStringLiteral(TLSLAB_CORPUS_DIR) + u"/clienthello/"_s + name + u".bin"_s);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

    QTemporaryDir m_dir;
    QString m_binary;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_binary = qEnvironmentVariable("TLSLAB_BINARY");
        if (m_binary.isEmpty() || !QFile::exists(m_binary))
            QFAIL("TLSLAB_BINARY must name the tlslab executable");
    }

    void help()
    {
        const Run r = tlslab({u"--help"_s});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.startsWith("Usage: tlslab hello"), r.out.constData());
        QVERIFY(r.out.contains("FILE") && r.out.contains("--text"));
        // The top-level help lists the command (the man page and completion are made from it).
        QProcess top;
        top.start(m_binary, {u"--help"_s});
        QVERIFY(top.waitForFinished(30000));
        QVERIFY(top.readAllStandardOutput().contains("  hello "));
    }

    void realHellos_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("sni");
        for (const auto &[name, sni] :
            {std::pair {"openssl", "example.test"}, std::pair {"gnutls-cli", "gnutls.example"},
                std::pair {"curl", "curl.example"}, std::pair {"qt", "qt.example"}})
            QTest::newRow(name) << QString::fromLatin1(name) << QString::fromLatin1(sni);
    }

    void realHellos()
    {
        QFETCH(QString, name);
        QFETCH(QString, sni);
        const QByteArray wire = corpus(name);
        QVERIFY2(!wire.isEmpty(), "seed corpus missing: run tst_hellodissection with TLSLAB_WRITE_CORPUS");
        const ClientFingerprints expected = clientFingerprints(dissectClientHelloRecords(wire));
        QVERIFY(!expected.ja4.isEmpty());

        const Run raw = tlslab({write(name + u".bin"_s, wire)});
        QCOMPARE(raw.err, QByteArray());
        QCOMPARE(raw.code, 0);
        const QJsonObject json = QJsonDocument::fromJson(raw.out).object();
        const QJsonObject hello = json.value(u"client_hello"_s).toObject();
        QCOMPARE(hello.value(u"status"_s).toString(), u"complete"_s);
        QCOMPARE(hello.value(u"server_name"_s).toString(), sni);
        QCOMPARE(hello.value(u"records"_s).toInt(), 1);
        QCOMPARE(json.value(u"fingerprints"_s).toObject().value(u"ja4"_s).toString(), expected.ja4);
        QCOMPARE(json.value(u"fingerprints"_s).toObject().value(u"ja3_md5"_s).toString(), expected.ja3Md5);

        // Hex with colons and line breaks, on standard input: the same dissection.
        QByteArray hex;
        for (qsizetype i = 0; i < wire.size(); ++i)
            hex += wire.mid(i, 1).toHex() + (i % 16 == 15 ? "\n" : ":");
        const Run fromStdin = tlslab({u"-"_s}, hex);
        QCOMPARE(fromStdin.code, 0);
        QCOMPARE(fromStdin.out, raw.out);

        // The bare handshake message: the same fingerprints, no record facts.
        const Run bare = tlslab({write(name + u".msg"_s, wire.mid(5))});
        QCOMPARE(bare.code, 0);
        const QJsonObject bareJson = QJsonDocument::fromJson(bare.out).object();
        QCOMPARE(bareJson.value(u"fingerprints"_s), json.value(u"fingerprints"_s));
        QVERIFY(!bareJson.value(u"client_hello"_s).toObject().contains(u"records"_s));

        const Run text = tlslab({u"--text"_s, write(name + u".hex"_s, wire.toHex())});
        QCOMPARE(text.code, 0);
        QVERIFY2(text.out.startsWith("ClientHello\n"), text.out.constData());
        QVERIFY2(text.out.contains(QByteArray("  server_name: " + sni.toUtf8() + '\n')), text.out.constData());
        QVERIFY(text.out.contains("    0x0000 server_name (")); // an extension on one line
        QVERIFY(text.out.contains(QByteArray("  ja4: " + expected.ja4.toLatin1() + '\n')));
    }

    void badInput_data()
    {
        const QByteArray wire = corpus(u"openssl"_s);
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("message");
        QTest::newRow("truncated") << wire.left(100)
                                   << QByteArray("truncated at byte 100: the ClientHello message is "
                                          + QByteArray::number(wire.size() - 5) + " bytes, only part of it is here");
        QTest::newRow("plaintext") << QByteArray("GET / HTTP/1.1\r\n\r\n")
                                   << QByteArray("not a ClientHello: the first byte is 0x47; a ClientHello starts with "
                                                 "0x16 (a TLS record) or 0x01 (the handshake message)");
        QTest::newRow("odd hex") << QByteArray("16 03 01 0")
                                 << QByteArray("the input looks like hex but has an odd number of digits (7)");
        QTest::newRow("empty") << QByteArray("\n") << QByteArray("the input is empty");
        QByteArray broken = wire;
        broken[5 + 4 + 2 + 32 + 1 + 32 + 1] = char(0xff); // the cipher_suites length's low byte
        QTest::newRow("malformed") << broken << QByteArray("not a well-formed ClientHello: ");
    }

    void badInput()
    {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, message);
        const Run r = tlslab({u"-"_s}, input);
        QCOMPARE(r.code, 1);
        QCOMPARE(r.out, QByteArray());
        QVERIFY2(r.err.startsWith(QByteArray("tlslab: -: " + message)), r.err.constData());
        QCOMPARE(r.err.count('\n'), 1);
    }

    void usage()
    {
        QCOMPARE(tlslab({}).code, 2);
        QCOMPARE(tlslab({u"a"_s, u"b"_s}).code, 2);
        QCOMPARE(tlslab({u"--bogus"_s, u"x"_s}).code, 2);
        const Run missing = tlslab({m_dir.filePath(u"nope.bin"_s)});
        QCOMPARE(missing.code, 1);
        QVERIFY2(missing.err.contains("nope.bin: no such file"), missing.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestHelloCli)
#include "tst_hellocli.moc"
