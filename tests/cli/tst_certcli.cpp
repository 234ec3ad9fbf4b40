// `tlslab cert new` and `tlslab cert show`, run as the real binary (TLSLAB_BINARY), checked with the openssl program.

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include "testutil.h"

using namespace Qt::StringLiterals;

class TestCertCli : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_binary;

    struct Run
    {
        int code = -1;
        QByteArray out;
        QByteArray err;
    };
    Run run(const QString &program, const QStringList &args,
        const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
    {
        QProcess p;
        p.setWorkingDirectory(m_dir.path());
        p.setProcessEnvironment(env);
        p.start(program, args);
        p.waitForFinished(120000);
        return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
    }
    Run tlslab(const QStringList &args, const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
    {
        return run(m_binary, QStringList {u"cert"_s} + args, env);
    }
    Run openssl(const QStringList &args) { return run(u"openssl"_s, args); }
    QString path(const QString &name) const { return m_dir.filePath(name); }
    int modeOf(const QString &name) const { return TlsLab::Test::fileMode(path(name)); }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_binary = qEnvironmentVariable("TLSLAB_BINARY");
        if (m_binary.isEmpty() || !QFile::exists(m_binary))
            QFAIL("TLSLAB_BINARY must name the tlslab executable");
    }

    void help()
    {
        for (const QString &sub : {u"new"_s, u"show"_s}) {
            const Run r = tlslab({sub, u"--help"_s});
            QCOMPARE(r.code, 0);
            QVERIFY2(r.out.startsWith(QByteArray("Usage: tlslab cert " + sub.toLatin1())), r.out.constData());
        }
    }

    void newAndVerify_data()
    {
        QTest::addColumn<QString>("keyType");
        for (const char *t : {"rsa-2048", "ec-p256", "ec-p384", "ed25519"})
            QTest::newRow(t) << QString::fromLatin1(t);
    }

    void newAndVerify()
    {
        QFETCH(QString, keyType);
        const QString ca = u"ca-"_s + keyType;
        Run r = tlslab(
            {u"new"_s, u"--profile"_s, u"ca"_s, u"--key-type"_s, keyType, u"--cn"_s, u"CLI Test CA"_s, u"--out"_s, ca});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(modeOf(ca + u".key"_s), 0600);
        const QString server = u"srv-"_s + keyType;
        r = tlslab({u"new"_s, u"--profile"_s, u"server"_s, u"--key-type"_s, keyType, u"--cn"_s, u"cli.example"_s,
            u"--san"_s, u"DNS:cli.example,IP:127.0.0.1"_s, u"--days"_s, u"30"_s, u"--ca"_s, ca, u"--out"_s, server});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(QFile::exists(path(server + u".chain.pem"_s)));
        QCOMPARE(modeOf(server + u".key"_s), 0600);
        r = openssl({u"verify"_s, u"-purpose"_s, u"sslserver"_s, u"-verify_ip"_s, u"127.0.0.1"_s, u"-CAfile"_s,
            path(ca + u".pem"_s), path(server + u".pem"_s)});
        QVERIFY2(r.code == 0, QByteArray(r.out + r.err).constData());
        const QString client = u"cli-"_s + keyType;
        r = tlslab({u"new"_s, u"--profile"_s, u"client"_s, u"--key-type"_s, keyType, u"--cn"_s, u"alice"_s, u"--ca"_s,
            ca, u"--out"_s, client});
        QVERIFY2(r.code == 0, r.err.constData());
        r = openssl(
            {u"verify"_s, u"-purpose"_s, u"sslclient"_s, u"-CAfile"_s, path(ca + u".pem"_s), path(client + u".pem"_s)});
        QVERIFY2(r.code == 0, QByteArray(r.out + r.err).constData());

        // cert show --json agrees with openssl.
        r = tlslab({u"show"_s, path(server + u".chain.pem"_s), u"--json"_s, u"--ca"_s, path(ca + u".pem"_s),
            u"--host"_s, u"cli.example"_s});
        QVERIFY2(r.code == 0, r.err.constData());
        const QList<QByteArray> lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 3); // two certificates and the chain verdict
        const QJsonObject leaf = QJsonDocument::fromJson(lines.at(0)).object();
        const QByteArray fp
            = openssl({u"x509"_s, u"-in"_s, path(server + u".pem"_s), u"-noout"_s, u"-fingerprint"_s, u"-sha256"_s})
                  .out.trimmed();
        QCOMPARE(u"sha256 Fingerprint="_s + leaf.value(u"sha256Fingerprint"_s).toString(), QString::fromLatin1(fp));
        QCOMPARE(leaf.value(u"subject"_s).toString(), u"CN = cli.example"_s);
        QVERIFY(leaf.value(u"verified"_s).toBool());
        const QJsonObject verdict = QJsonDocument::fromJson(lines.at(2)).object().value(u"chainVerdict"_s).toObject();
        QVERIFY(verdict.value(u"trusted"_s).toBool());
        QVERIFY(verdict.value(u"nameMatches"_s).toBool());
    }

    void showTextAndVerdict()
    {
        Run r = tlslab({u"new"_s, u"--profile"_s, u"self-signed"_s, u"--cn"_s, u"old.example"_s, u"--not-before"_s,
            u"2020-01-01"_s, u"--not-after"_s, u"2020-06-01"_s, u"--out"_s, u"old"_s});
        QVERIFY2(r.code == 0, r.err.constData());
        r = tlslab({u"show"_s, path(u"old.pem"_s)});
        QCOMPARE(r.code, 0);
        QVERIFY2(r.out.contains("  Subject:             CN = old.example\n"), r.out.constData());
        QVERIFY(r.out.contains("Not after:           Jun  1 00:00:00 2020 GMT"));
        QVERIFY(r.out.contains("Status:              expired "));
        QVERIFY(r.out.contains("DNS:old.example"));
        r = tlslab({u"show"_s, path(u"old.pem"_s), u"--ca"_s, path(u"old.pem"_s), u"--host"_s, u"other.example"_s});
        QCOMPARE(r.code, 1);
        QVERIFY(r.out.contains("certificate has expired"));
        QVERIFY(r.out.contains("Name other.example: does NOT match"));
    }

    void errors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        QTest::newRow("unknown profile") << QStringList {u"new"_s, u"--profile"_s, u"x"_s, u"--out"_s, u"a"_s} << 2
                                         << u"tlslab: cert new: unknown profile \"x\""_s;
        QTest::newRow("unknown option") << QStringList {u"new"_s, u"--bogus"_s} << 2
                                        << u"tlslab: Unknown option 'bogus'"_s;
        QTest::newRow("bad san") << QStringList {u"new"_s, u"--profile"_s, u"self-signed"_s, u"--cn"_s, u"a"_s,
            u"--san"_s, u"IP:300.1.1.1"_s, u"--out"_s, u"bad"_s}
                                 << 1 << u"tlslab: IP:300.1.1.1 is not an IP address"_s;
        QTest::newRow("server needs ca") << QStringList {u"new"_s, u"--profile"_s, u"server"_s, u"--cn"_s, u"a"_s,
            u"--out"_s, u"x"_s} << 2 << u"tlslab: cert new: the server profile needs --ca PREFIX"_s;
        QTest::newRow("exists") << QStringList {u"new"_s, u"--profile"_s, u"self-signed"_s, u"--cn"_s, u"a"_s,
            u"--out"_s, u"old"_s}
                                << 1 << u"tlslab: %D/old.pem: already exists (use --force to overwrite)"_s;
        QTest::newRow("missing file") << QStringList {u"show"_s, u"nothing.pem"_s} << 1
                                      << u"tlslab: nothing.pem: no such file"_s;
        QTest::newRow("key as cert") << QStringList {u"show"_s, u"old.key"_s} << 1
                                     << u"tlslab: old.key: not a certificate (found a private key)"_s;
        QTest::newRow("no subcommand") << QStringList {} << 2 << u"tlslab: cert: missing subcommand"_s;
    }

    void errors()
    {
        QFETCH(QStringList, args);
        QFETCH(int, code);
        QFETCH(QString, message);
        for (QString &a : args)
            a.replace(u"old"_s, path(u"old"_s));
        // Relative names stay relative for the messages that quote them.
        if (args.value(0) == u"show")
            args[1] = QFileInfo(args[1]).fileName();
        const Run r = tlslab(args);
        QCOMPARE(r.code, code);
        const QString err = QString::fromUtf8(r.err).trimmed();
        QVERIFY2(err.startsWith(QString(message).replace(u"%D"_s, m_dir.path())), qPrintable(err));
        QCOMPARE(err.count(u'\n'), 0);
    }

    void forceAndPassphrase()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"KEYPASS"_s, u"correct horse"_s);
        Run r = tlslab({u"new"_s, u"--profile"_s, u"self-signed"_s, u"--cn"_s, u"old.example"_s, u"--force"_s,
                           u"--passphrase-env"_s, u"KEYPASS"_s, u"--pkcs12"_s, u"--out"_s, u"old"_s},
            env);
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(QFile(path(u"old.key"_s)).open(QIODevice::ReadOnly));
        r = openssl({u"pkey"_s, u"-in"_s, path(u"old.key"_s), u"-passin"_s, u"pass:correct horse"_s, u"-noout"_s});
        QCOMPARE(r.code, 0);
        r = tlslab({u"show"_s, u"old.p12"_s, u"--passphrase-env"_s, u"KEYPASS"_s, u"--json"_s}, env);
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(
            QJsonDocument::fromJson(r.out.trimmed()).object().value(u"subject"_s).toString(), u"CN = old.example"_s);
        env.insert(u"KEYPASS"_s, u"wrong"_s);
        r = tlslab({u"show"_s, u"old.p12"_s, u"--passphrase-env"_s, u"KEYPASS"_s}, env);
        QCOMPARE(r.code, 1);
        QCOMPARE(r.err.trimmed(), QByteArray("tlslab: old.p12: wrong passphrase"));
    }
};

QTEST_GUILESS_MAIN(TestCertCli)
#include "tst_certcli.moc"
