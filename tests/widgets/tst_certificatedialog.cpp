// The certificate dialog driven like a user: typing into the fields, validation as you type, an EC P-256 certificate
// that `openssl verify` accepts, a CA and a server certificate it signs, RSA-4096 cancelled (nothing written) and
// made in the background. How fast a cancel returns and how long the event loop stalls are figures: bench_dialog.
#include "certtestutil.h"
#include "testutil.h"
#include "widgets/certificatedialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using namespace TlsLab::Widgets;

class TestCertificateDialog : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<CertificateDialog> m_dialog;

    // Every child used here is checked once in init().
    template<typename T>
    T *child(const QString &name) const
    {
        return m_dialog->findChild<T *>(name);
    }
    QPushButton *generateButton() const { return child<QPushButton>(u"generateButton"_s); }
    QString message() const { return child<QLabel>(u"messageLabel"_s)->text(); }
    QString path(const QString &name) const { return m_dir->filePath(name); }

    void typeInto(const QString &editName, const QString &text)
    {
        auto *edit = child<QLineEdit>(editName);
        edit->selectAll();
        QTest::keyClick(edit, Qt::Key_Delete);
        QTest::keyClicks(edit, text);
    }
    void typeSans(const QString &text)
    {
        auto *edit = child<QPlainTextEdit>(u"sanEdit"_s);
        edit->setFocus();
        edit->selectAll();
        QTest::keyClick(edit, Qt::Key_Delete);
        // keyClicks cannot type a newline: one line at a time, Return between them.
        const QStringList lines = text.split(u'\n');
        for (qsizetype i = 0; i < lines.size(); ++i) {
            if (i > 0)
                QTest::keyClick(edit, Qt::Key_Return);
            QTest::keyClicks(edit, lines.at(i));
        }
    }

    // The openssl program's exit code; its output (stdout and stderr) in *output.
    static int run(const QStringList &arguments, QString *output = nullptr)
    {
        const TlsLab::Test::OpensslRun r = TlsLab::Test::openssl(arguments);
        if (output)
            *output = QString::fromUtf8(r.out + r.err);
        return r.exitCode;
    }
    static int fileMode(const QString &file) { return TlsLab::Test::fileMode(file); }

    // Clicks Generate and waits for identityCreated.
    bool generateAndWait(int timeoutMs = 10000)
    {
        QSignalSpy created(m_dialog.get(), &CertificateDialog::identityCreated);
        QSignalSpy failed(m_dialog.get(), &CertificateDialog::generationFailed);
        if (!generateButton()->isEnabled()) {
            qWarning() << "Generate is disabled:" << message();
            return false;
        }
        QTest::mouseClick(generateButton(), Qt::LeftButton);
        if (!created.wait(timeoutMs)) {
            qWarning() << "not created:" << failed;
            return false;
        }
        return true;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        // A missing peer is a broken test machine, not a reason to pass (scripts/dev.sh installs it).
        QVERIFY2(run({u"version"_s}) == 0, "the openssl program is needed");
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        m_dialog = std::make_unique<CertificateDialog>();
        m_dialog->setOutputDirectory(m_dir->path());
        m_dialog->open();
        QVERIFY(QTest::qWaitForWindowExposed(m_dialog.get()));
        const QStringList missing = TlsLab::Test::missingChildren(m_dialog.get(),
            {
                {&QPushButton::staticMetaObject, u"generateButton"_s},
                {&QPushButton::staticMetaObject, u"cancelGenerationButton"_s},
                {&QLabel::staticMetaObject, u"messageLabel"_s},
                {&QLabel::staticMetaObject, u"summaryLabel"_s},
                {&QLabel::staticMetaObject, u"resultLabel"_s},
                {&QPlainTextEdit::staticMetaObject, u"sanEdit"_s},
                {&QDateTimeEdit::staticMetaObject, u"notBeforeEdit"_s},
                {&QDateTimeEdit::staticMetaObject, u"notAfterEdit"_s},
                {&QCheckBox::staticMetaObject, u"overwriteCheck"_s},
                {&QComboBox::staticMetaObject, u"keyTypeCombo"_s},
                {&QLineEdit::staticMetaObject, u"commonNameEdit"_s},
                {&QLineEdit::staticMetaObject, u"organizationEdit"_s},
                {&QLineEdit::staticMetaObject, u"countryEdit"_s},
                {&QLineEdit::staticMetaObject, u"filePrefixEdit"_s},
                {&QLineEdit::staticMetaObject, u"passphraseEdit"_s},
                {&QLineEdit::staticMetaObject, u"passphraseRepeatEdit"_s},
                {&QLineEdit::staticMetaObject, u"issuerCertificateEdit"_s},
                {&QLineEdit::staticMetaObject, u"issuerKeyEdit"_s},
            });
        QVERIFY2(missing.isEmpty(), qPrintable(u"missing: "_s + missing.join(u", "_s)));
    }

    void cleanup()
    {
        m_dialog.reset();
        m_dir.reset();
    }

    void validatesAsYouType()
    {
        // The default profile is complete: Generate is available and the summary lists the files.
        QVERIFY2(generateButton()->isEnabled(), qPrintable(message()));
        const QString summary = child<QLabel>(u"summaryLabel"_s)->text();
        QVERIFY2(summary.contains(u"localhost.pem — certificate (PEM)"_s), qPrintable(summary));
        QVERIFY2(summary.contains(u"localhost.key — private key"_s), qPrintable(summary));
        QVERIFY2(summary.contains(m_dir->path()), qPrintable(summary));

        // An IP SAN that is not an IP address.
        typeSans(u"DNS:ok.test\nIP:300.1.1.1"_s);
        QVERIFY(!generateButton()->isEnabled());
        QVERIFY2(message().contains(u"IP:300.1.1.1 is not an IP address"_s), qPrintable(message()));
        QVERIFY(child<QLabel>(u"messageLabel"_s)->isVisible());
        QVERIFY(!m_dialog->generate());

        // Bare names and addresses are accepted (and prefixed in the summary).
        typeSans(u"ok.test, 192.0.2.1, ::1"_s);
        QVERIFY2(generateButton()->isEnabled(), qPrintable(message()));
        QVERIFY2(child<QLabel>(u"summaryLabel"_s)->text().contains(u"DNS:ok.test, IP:192.0.2.1, IP:::1"_s),
            qPrintable(child<QLabel>(u"summaryLabel"_s)->text()));

        // Missing common name.
        typeInto(u"commonNameEdit"_s, QString());
        QVERIFY(!generateButton()->isEnabled());
        QVERIFY2(message().contains(u"common name (CN) is empty"_s), qPrintable(message()));
        typeInto(u"commonNameEdit"_s, u"ok.test"_s);
        QVERIFY2(generateButton()->isEnabled(), qPrintable(message()));

        // End before start (both in the past are fine: expired certificates are made on purpose).
        auto *notBefore = child<QDateTimeEdit>(u"notBeforeEdit"_s);
        auto *notAfter = child<QDateTimeEdit>(u"notAfterEdit"_s);
        notAfter->setDateTime(notBefore->dateTime().addDays(-1));
        QVERIFY(!generateButton()->isEnabled());
        QVERIFY2(message().contains(u"end date is not after the start date"_s), qPrintable(message()));
        notBefore->setDateTime(notBefore->dateTime().addYears(-2));
        QVERIFY2(generateButton()->isEnabled(), qPrintable(message()));

        // Passphrases must match; PKCS#12 needs one.
        typeInto(u"passphraseEdit"_s, u"one"_s);
        QVERIFY(!generateButton()->isEnabled());
        QVERIFY2(message().contains(u"passphrases differ"_s), qPrintable(message()));
        typeInto(u"passphraseRepeatEdit"_s, u"one"_s);
        QVERIFY2(generateButton()->isEnabled(), qPrintable(message()));

        // A signed profile without an issuer.
        m_dialog->setProfile(CertificateProfile::Server);
        QVERIFY(!generateButton()->isEnabled());
        QVERIFY2(message().contains(u"choose the issuing CA"_s), qPrintable(message()));
        typeInto(u"issuerCertificateEdit"_s, path(u"nope.pem"_s));
        QVERIFY2(message().contains(path(u"nope.pem"_s)), qPrintable(message()));

        // Existing files are refused unless Overwrite is ticked.
        m_dialog->setProfile(CertificateProfile::SelfSignedServer);
        typeInto(u"filePrefixEdit"_s, u"taken"_s);
        QFile taken(path(u"taken.key"_s));
        QVERIFY(taken.open(QIODevice::WriteOnly));
        taken.close();
        typeInto(u"filePrefixEdit"_s, u"taken"_s); // re-validate now the file exists
        QVERIFY(!generateButton()->isEnabled());
        QVERIFY2(message().contains(u"taken.key already exists"_s), qPrintable(message()));
        child<QCheckBox>(u"overwriteCheck"_s)->setChecked(true);
        QVERIFY2(generateButton()->isEnabled(), qPrintable(message()));
        QVERIFY(child<QLabel>(u"summaryLabel"_s)->text().contains(u"will be REPLACED"_s));
    }

    void generatesEcP256SelfSigned()
    {
        m_dialog->setKeyType(KeyType::EcP256);
        typeInto(u"commonNameEdit"_s, u"dialog.test"_s);
        typeInto(u"organizationEdit"_s, u"TLS Lab Tests"_s);
        typeInto(u"countryEdit"_s, u"DE"_s);
        typeSans(u"dialog.test, IP:127.0.0.1"_s);
        typeInto(u"filePrefixEdit"_s, u"ec"_s);

        QSignalSpy created(m_dialog.get(), &CertificateDialog::identityCreated);
        QVERIFY(generateAndWait());
        QCOMPARE(created.count(), 1);
        const auto identity = created.first().first().value<Identity>();
        QCOMPARE(identity.key.description(), u"ECDSA P-256"_s);
        QCOMPARE(identity.certificatePath, path(u"ec.pem"_s));

        const QString cert = path(u"ec.pem"_s);
        const QString key = path(u"ec.key"_s);
        QVERIFY(QFileInfo::exists(cert));
        QVERIFY(QFileInfo::exists(key));
        QVERIFY(!QFileInfo::exists(path(u"ec.chain.pem"_s))); // self-signed: no chain file
        QCOMPARE(fileMode(key), 0600);
        const QString result = child<QLabel>(u"resultLabel"_s)->text();
        QVERIFY2(result.contains(cert) && result.contains(key), qPrintable(result));

        QString out;
        QCOMPARE(run({u"verify"_s, u"-CAfile"_s, cert, u"-purpose"_s, u"sslserver"_s, u"-verify_hostname"_s,
                         u"dialog.test"_s, cert},
                     &out),
            0);
        QVERIFY2(out.contains(u": OK"_s), qPrintable(out));
        QCOMPARE(run({u"verify"_s, u"-CAfile"_s, cert, u"-verify_ip"_s, u"127.0.0.1"_s, cert}, &out), 0);
        QCOMPARE(run({u"pkey"_s, u"-in"_s, key, u"-noout"_s}, &out), 0);
        QCOMPARE(run({u"x509"_s, u"-in"_s, cert, u"-noout"_s, u"-subject"_s}, &out), 0);
        QVERIFY2(out.contains(u"C = DE, O = TLS Lab Tests, CN = dialog.test"_s), qPrintable(out));

        // The files exist now: Generate is refused until Overwrite is ticked.
        QVERIFY(!generateButton()->isEnabled());
        QVERIFY2(message().contains(u"already exists"_s), qPrintable(message()));
    }

    void generatesCaThenServer()
    {
        m_dialog->setProfile(CertificateProfile::CertificateAuthority);
        typeInto(u"commonNameEdit"_s, u"Dialog Test CA"_s);
        QSignalSpy created(m_dialog.get(), &CertificateDialog::identityCreated);
        QVERIFY(generateAndWait());
        QTRY_COMPARE_WITH_TIMEOUT(created.count(), 1, 1000);
        const auto ca = created.first().first().value<Identity>();
        QCOMPARE(ca.certificatePath, path(u"ca.pem"_s));
        QVERIFY(QFileInfo::exists(path(u"ca.key"_s)));

        m_dialog->setProfile(CertificateProfile::Server);
        typeInto(u"filePrefixEdit"_s, u"server"_s);
        typeInto(u"issuerCertificateEdit"_s, path(u"ca.pem"_s));
        typeInto(u"issuerKeyEdit"_s, path(u"ca.key"_s));
        QVERIFY2(generateButton()->isEnabled(), qPrintable(message()));
        QVERIFY(child<QLabel>(u"summaryLabel"_s)->text().contains(u"server.chain.pem"_s));
        QVERIFY(generateAndWait());

        QString out;
        QCOMPARE(run({u"verify"_s, u"-CAfile"_s, path(u"ca.pem"_s), u"-purpose"_s, u"sslserver"_s,
                         u"-verify_hostname"_s, u"localhost"_s, u"-verify_ip"_s, u"::1"_s, path(u"server.pem"_s)},
                     &out),
            0);
        QVERIFY2(out.contains(u": OK"_s), qPrintable(out));
        QVERIFY(QFileInfo::exists(path(u"server.chain.pem"_s)));
        QCOMPARE(fileMode(path(u"server.key"_s)), 0600);
    }

    void rsa4096Cancelled()
    {
        m_dialog->setKeyType(KeyType::Rsa4096);
        typeInto(u"filePrefixEdit"_s, u"rsa"_s);
        QSignalSpy failed(m_dialog.get(), &CertificateDialog::generationFailed);
        QSignalSpy created(m_dialog.get(), &CertificateDialog::identityCreated);
        QTest::mouseClick(generateButton(), Qt::LeftButton);
        QVERIFY(m_dialog->isGenerating());
        QVERIFY(child<QPushButton>(u"cancelGenerationButton"_s)->isVisible());
        QVERIFY(!child<QComboBox>(u"keyTypeCombo"_s)->isEnabled());

        // At once, with no time allowed to pass: the search stops at its next step, wherever it is (a test that
        // waited "a while" first could see RSA finish on a fast machine).
        QTest::mouseClick(child<QPushButton>(u"cancelGenerationButton"_s), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 30000);
        QVERIFY(!m_dialog->isGenerating());
        QCOMPARE(created.count(), 0);
        QCOMPARE(failed.count(), 1);
        QCOMPARE(failed.first().first().toString(), CertificateGenerator::cancelledMessage());
        QVERIFY(!QFileInfo::exists(path(u"rsa.pem"_s)));
        QVERIFY(!QFileInfo::exists(path(u"rsa.key"_s)));
        QVERIFY(child<QLabel>(u"resultLabel"_s)->text().contains(u"Cancelled"_s));

        // The dialog is usable again: a quick EC certificate goes through.
        QVERIFY(child<QComboBox>(u"keyTypeCombo"_s)->isEnabled());
        QVERIFY(!child<QPushButton>(u"cancelGenerationButton"_s)->isVisible());
        m_dialog->setKeyType(KeyType::EcP256);
        QVERIFY(generateAndWait());
        QVERIFY(QFileInfo::exists(path(u"rsa.pem"_s)));
    }

    // In the background: the dialog stays usable (Cancel is offered) while the key is made; the key is RSA-4096
    // and private.
    void rsa4096MadeInTheBackground()
    {
        m_dialog->setKeyType(KeyType::Rsa4096);
        typeInto(u"filePrefixEdit"_s, u"rsa4096"_s);
        QSignalSpy created(m_dialog.get(), &CertificateDialog::identityCreated);
        QTest::mouseClick(generateButton(), Qt::LeftButton);
        QVERIFY(m_dialog->isGenerating());
        QVERIFY(child<QPushButton>(u"cancelGenerationButton"_s)->isEnabled());
        QVERIFY(created.wait(60000));
        QCOMPARE(fileMode(path(u"rsa4096.key"_s)), 0600);
        QString out;
        QCOMPARE(run({u"x509"_s, u"-in"_s, path(u"rsa4096.pem"_s), u"-noout"_s, u"-text"_s}, &out), 0);
        QVERIFY(out.contains(u"Public-Key: (4096 bit)"_s));
    }

    // Not a check: the documentation screenshot (set TLSLAB_SCREENSHOT to a PNG path to take it).
    void screenshot()
    {
        const QString out = qEnvironmentVariable("TLSLAB_SCREENSHOT");
        if (out.isEmpty())
            QSKIP("TLSLAB_SCREENSHOT not set");
        m_dialog->setOutputDirectory(u"/home/user/certs"_s);
        typeInto(u"organizationEdit"_s, u"TLS Lab"_s);
        typeSans(u"DNS:localhost\n127.0.0.1\nIP:300.1.1.1"_s);
        QVERIFY(m_dialog->grab().save(out));
        qInfo("screenshot: %s", qPrintable(out));
    }
};

QTEST_MAIN(TestCertificateDialog)
#include "tst_certificatedialog.moc"
