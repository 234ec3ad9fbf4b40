// The certificate dialog driven like a user: typing into the fields, validation as you type, an EC P-256 certificate
// that `openssl verify` accepts, a CA and a server certificate it signs, RSA-4096 cancelled (nothing written) and
// made in the background. And what a user tripped over: red lines after a success, a typed name carried into another
// profile, the CA and folder forgotten, typed dates, a progress bar stuck at 0%, key usages checked only by OpenSSL,
// Esc and Enter. How fast a cancel returns and how long the event loop stalls are figures: bench_dialog.
#include "certtestutil.h"
#include "testutil.h"
#include "widgets/certificatedialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
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
    QString note() const { return child<QLabel>(u"noteLabel"_s)->text(); }
    QString text(const QString &editName) const { return child<QLineEdit>(editName)->text(); }
    // The item of a usage list by OpenSSL's name.
    QListWidgetItem *usage(const QString &listName, const QString &name) const
    {
        auto *list = child<QListWidget>(listName);
        for (int i = 0; i < list->count(); ++i) {
            if (list->item(i)->data(Qt::UserRole).toString() == name)
                return list->item(i);
        }
        return nullptr;
    }
    static bool isChecked(const QListWidgetItem *item) { return item && item->checkState() == Qt::Checked; }
    static bool isEnabled(const QListWidgetItem *item) { return item && (item->flags() & Qt::ItemIsEnabled); }
    // Ticks or unticks a usage as a user does: select it, press Space.
    void toggle(const QString &listName, const QString &name)
    {
        auto *list = child<QListWidget>(listName);
        list->setFocus();
        list->setCurrentItem(usage(listName, name));
        QTest::keyClick(list, Qt::Key_Space);
    }
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
        // Settings and standard folders of their own (~/.qttest), never the user's.
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY2(QSettings().fileName().contains(u".qttest"_s), qPrintable(QSettings().fileName()));
        // A missing peer is a broken test machine, not a reason to pass (scripts/dev.sh installs it).
        QVERIFY2(run({u"version"_s}) == 0, "the openssl program is needed");
    }

    void init()
    {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        QSettings().clear(); // no folder or CA remembered from another test
        m_dialog = std::make_unique<CertificateDialog>();
        m_dialog->setOutputDirectory(m_dir->path());
        m_dialog->open();
        QVERIFY(QTest::qWaitForWindowExposed(m_dialog.get()));
        const QStringList missing = TlsLab::Test::missingChildren(m_dialog.get(),
            {
                {&QPushButton::staticMetaObject, u"generateButton"_s},
                {&QPushButton::staticMetaObject, u"cancelGenerationButton"_s},
                {&QLabel::staticMetaObject, u"messageLabel"_s},
                {&QLabel::staticMetaObject, u"noteLabel"_s},
                {&QLabel::staticMetaObject, u"issuerStatusLabel"_s},
                {&QProgressBar::staticMetaObject, u"progressBar"_s},
                {&QSpinBox::staticMetaObject, u"validDaysSpin"_s},
                {&QListWidget::staticMetaObject, u"keyUsageList"_s},
                {&QListWidget::staticMetaObject, u"extendedKeyUsageList"_s},
                {&QCheckBox::staticMetaObject, u"keyUsageCriticalCheck"_s},
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
        QSettings().clear();
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
        QVERIFY2(result.contains(m_dir->path()) && result.contains(u"ec.pem"_s) && result.contains(u"ec.key"_s),
            qPrintable(result));

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

        // The files exist now: Generate waits for a new prefix or Overwrite, and says so without a red error about
        // the files just made.
        QVERIFY(!generateButton()->isEnabled());
        QVERIFY2(message().isEmpty(), qPrintable(message()));
        QVERIFY(!child<QLabel>(u"messageLabel"_s)->isVisible());
        QVERIFY2(note().contains(u"change the file prefix"_s), qPrintable(note()));
        QVERIFY(child<QLabel>(u"resultLabel"_s)->isVisible());
        typeInto(u"filePrefixEdit"_s, u"ec2"_s);
        QVERIFY2(generateButton()->isEnabled(), qPrintable(message()));
        QVERIFY2(note().isEmpty(), qPrintable(note()));
        // A file this dialog did not write is still an error.
        QFile other(path(u"other.key"_s));
        QVERIFY(other.open(QIODevice::WriteOnly));
        other.close();
        typeInto(u"filePrefixEdit"_s, u"other"_s);
        QVERIFY2(message().contains(u"other.key already exists"_s), qPrintable(message()));
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

        // The CA just made is offered as the issuer.
        m_dialog->setProfile(CertificateProfile::Server);
        QCOMPARE(text(u"filePrefixEdit"_s), u"server"_s);
        QCOMPARE(text(u"issuerCertificateEdit"_s), path(u"ca.pem"_s));
        QCOMPARE(text(u"issuerKeyEdit"_s), path(u"ca.key"_s));
        QVERIFY2(child<QLabel>(u"issuerStatusLabel"_s)->text().contains(u"Dialog Test CA (the CA made last)"_s),
            qPrintable(child<QLabel>(u"issuerStatusLabel"_s)->text()));
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
        // Nobody knows how long the prime search takes: a busy bar, not one standing at 0%, and words for the step.
        auto *bar = child<QProgressBar>(u"progressBar"_s);
        QVERIFY(bar->isVisible());
        QCOMPARE(bar->minimum(), 0);
        QCOMPARE(bar->maximum(), 0);
        QVERIFY2(child<QLabel>(u"resultLabel"_s)->text().contains(u"prime"_s),
            qPrintable(child<QLabel>(u"resultLabel"_s)->text()));

        // At once, with no time allowed to pass: the search stops at its next step, wherever it is (a test that
        // waited "a while" first could see RSA finish on a fast machine). Esc cancels first, it does not close.
        QTest::keyClick(m_dialog.get(), Qt::Key_Escape);
        QVERIFY(m_dialog->isVisible());
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 30000);
        QVERIFY(m_dialog->isVisible());
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

    // The next dialog (the next run of the application) starts in the folder of the last certificates made and
    // offers the last CA made; a CA whose files are gone is not offered.
    void folderAndLastCaRemembered()
    {
        m_dialog->setProfile(CertificateProfile::CertificateAuthority);
        typeInto(u"commonNameEdit"_s, u"Remembered CA"_s);
        QVERIFY(generateAndWait());

        auto next = std::make_unique<CertificateDialog>();
        QCOMPARE(next->outputDirectory(), m_dir->path());
        QVERIFY(next->remembersOutputDirectory());
        next->setProfile(CertificateProfile::Client);
        QCOMPARE(next->findChild<QLineEdit *>(u"issuerCertificateEdit"_s)->text(), path(u"ca.pem"_s));
        QCOMPARE(next->findChild<QLineEdit *>(u"issuerKeyEdit"_s)->text(), path(u"ca.key"_s));
        QVERIFY2(next->problems().isEmpty(), qPrintable(next->problems().join(u"; "_s)));
        QCOMPARE(next->request().issuer->leaf().subjectInfo(QSslCertificate::CommonName).value(0), u"Remembered CA"_s);

        // A folder chosen by the caller is not overridden when nothing is remembered; the CA's files gone: no offer.
        QSettings().clear();
        next = std::make_unique<CertificateDialog>();
        QVERIFY(!next->remembersOutputDirectory());
        QVERIFY(QFile::remove(path(u"ca.pem"_s)));
        QSettings settings;
        settings.setValue(u"certificates/lastCaCertificate"_s, path(u"ca.pem"_s));
        settings.setValue(u"certificates/lastCaKey"_s, path(u"ca.key"_s));
        next = std::make_unique<CertificateDialog>();
        next->setProfile(CertificateProfile::Server);
        QVERIFY(next->findChild<QLineEdit *>(u"issuerCertificateEdit"_s)->text().isEmpty());
    }

    // What was typed for one kind of certificate stays with it: a host name is no name for a CA or a client, and
    // comes back when the user returns to a server profile. What fits every profile (the organization) stays.
    void profileSwitchKeepsOnlyWhatFits()
    {
        typeInto(u"commonNameEdit"_s, u"www.example.test"_s);
        typeSans(u"DNS:www.example.test"_s);
        typeInto(u"filePrefixEdit"_s, u"www"_s);
        typeInto(u"organizationEdit"_s, u"Example Ltd"_s);
        toggle(u"extendedKeyUsageList"_s, u"clientAuth"_s);
        QVERIFY(isChecked(usage(u"extendedKeyUsageList"_s, u"clientAuth"_s)));

        m_dialog->setProfile(CertificateProfile::CertificateAuthority);
        QCOMPARE(text(u"commonNameEdit"_s), u"TLS Lab Test CA"_s);
        QCOMPARE(text(u"filePrefixEdit"_s), u"ca"_s);
        QVERIFY(child<QPlainTextEdit>(u"sanEdit"_s)->toPlainText().isEmpty());
        QCOMPARE(text(u"organizationEdit"_s), u"Example Ltd"_s);
        QCOMPARE(m_dialog->request().extendedKeyUsage, QString());
        QCOMPARE(m_dialog->request().keyUsage, u"critical,digitalSignature,keyCertSign,cRLSign"_s);

        m_dialog->setProfile(CertificateProfile::Client);
        QCOMPARE(text(u"commonNameEdit"_s), u"TLS Lab client"_s);
        QCOMPARE(m_dialog->request().extendedKeyUsage, u"clientAuth"_s);

        // Back to a server: its own typing returns (the self-signed and the signed server share it).
        m_dialog->setProfile(CertificateProfile::Server);
        QCOMPARE(text(u"commonNameEdit"_s), u"www.example.test"_s);
        QCOMPARE(text(u"filePrefixEdit"_s), u"www"_s);
        QCOMPARE(child<QPlainTextEdit>(u"sanEdit"_s)->toPlainText(), u"DNS:www.example.test"_s);
        m_dialog->setProfile(CertificateProfile::SelfSignedServer);
        QCOMPARE(text(u"commonNameEdit"_s), u"www.example.test"_s);
    }

    // Dates typed on the keyboard count, and "valid for N days" (negative: already expired) sets the end date.
    void datesCanBeTyped()
    {
        // As a user does: click on the year, type another. Qt's date editor ignores digits typed into a full section
        // unless the section is selected; a click now selects the section it lands on.
        auto *notAfter = child<QDateTimeEdit>(u"notAfterEdit"_s);
        auto *text = notAfter->findChild<QLineEdit *>();
        QVERIFY(text);
        const QPoint onYear(
            text->contentsRect().left() + 4 + text->fontMetrics().horizontalAdvance(u"20"_s), text->height() / 2);
        QTest::mouseClick(text, Qt::LeftButton, {}, onYear);
        QTRY_VERIFY(notAfter->hasFocus());
        QCOMPARE(notAfter->currentSection(), QDateTimeEdit::YearSection);
        QTest::keyClicks(notAfter, u"2031"_s);
        QCOMPARE(m_dialog->request().notAfter.date().year(), 2031);
        // A full section moves on to the next, which is taken as typed too.
        QCOMPARE(notAfter->currentSection(), QDateTimeEdit::MonthSection);
        QTest::keyClicks(notAfter, u"03"_s);
        QCOMPARE(m_dialog->request().notAfter.date().month(), 3);
        QCOMPARE(child<QSpinBox>(u"validDaysSpin"_s)->value(), m_dialog->validDays());
        QVERIFY(m_dialog->validDays() > 365);

        auto *days = child<QSpinBox>(u"validDaysSpin"_s);
        days->setFocus();
        days->selectAll();
        QTest::keyClicks(days, u"30"_s);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        QVERIFY(qAbs(now.addDays(30).secsTo(m_dialog->request().notAfter)) < 3600);
        QVERIFY2(generateButton()->isEnabled(), qPrintable(message()));

        // Already expired: the start moves back before the end; a note, not an error.
        days->selectAll();
        QTest::keyClicks(days, u"-30"_s);
        QCOMPARE(m_dialog->validDays(), -30);
        const CertificateRequest r = m_dialog->request();
        QVERIFY(qAbs(now.addDays(-30).secsTo(r.notAfter)) < 3600);
        QVERIFY(r.notBefore < r.notAfter);
        QVERIFY2(generateButton()->isEnabled(), qPrintable(message()));
        QVERIFY2(note().contains(u"already have expired"_s), qPrintable(note()));
        typeInto(u"filePrefixEdit"_s, u"expired"_s);
        QVERIFY(generateAndWait());
        QString out;
        QCOMPARE(run({u"x509"_s, u"-in"_s, path(u"expired.pem"_s), u"-noout"_s, u"-checkend"_s, u"0"_s}, &out), 1);
        QVERIFY2(out.contains(u"will expire"_s), qPrintable(out));

        // A profile change keeps dates the user set.
        m_dialog->setProfile(CertificateProfile::CertificateAuthority);
        QCOMPARE(m_dialog->validDays(), -30);
    }

    // Key usage and extended key usage: only what the profile and key type allow can be ticked, and what a TLS
    // certificate cannot do without is said in plain words before Generate.
    void usagesAreCheckedAsYouGo()
    {
        m_dialog->setKeyType(KeyType::EcP256);
        const QString ku = u"keyUsageList"_s;
        const QString eku = u"extendedKeyUsageList"_s;
        QVERIFY(isChecked(usage(ku, u"digitalSignature"_s)));
        QVERIFY(!isEnabled(usage(ku, u"keyEncipherment"_s))); // EC keys cannot encrypt
        QVERIFY(usage(ku, u"keyEncipherment"_s)->toolTip().contains(u"RSA"_s));
        QVERIFY(isEnabled(usage(ku, u"keyAgreement"_s)));
        QVERIFY(!isEnabled(usage(ku, u"keyCertSign"_s))); // not a CA
        QVERIFY(isChecked(usage(eku, u"serverAuth"_s)));
        QVERIFY(!isEnabled(usage(eku, u"codeSigning"_s)));

        m_dialog->setKeyType(KeyType::Rsa2048);
        QVERIFY(isChecked(usage(ku, u"keyEncipherment"_s)));
        QVERIFY(!isEnabled(usage(ku, u"keyAgreement"_s)));
        m_dialog->setKeyType(KeyType::Ed25519);
        QVERIFY(!isChecked(usage(ku, u"keyEncipherment"_s)));
        QVERIFY(!isEnabled(usage(ku, u"keyAgreement"_s)));
        QCOMPARE(m_dialog->request().keyUsage, u"critical,digitalSignature"_s);

        // Unticking what a server needs: plain words, Generate waits.
        toggle(ku, u"digitalSignature"_s);
        QVERIFY(!isChecked(usage(ku, u"digitalSignature"_s)));
        QVERIFY(!generateButton()->isEnabled());
        QVERIFY2(message().contains(u"tick at least one key usage"_s), qPrintable(message()));
        toggle(ku, u"nonRepudiation"_s);
        QVERIFY2(message().contains(u"needs the key usage “Digital Signature”"_s), qPrintable(message()));
        toggle(ku, u"digitalSignature"_s);
        QVERIFY2(generateButton()->isEnabled(), qPrintable(message()));
        toggle(eku, u"serverAuth"_s);
        QVERIFY(!generateButton()->isEnabled());
        QVERIFY2(message().contains(u"needs the extended key usage “TLS server”"_s), qPrintable(message()));
        toggle(eku, u"serverAuth"_s);
        toggle(eku, u"clientAuth"_s);
        child<QCheckBox>(u"keyUsageCriticalCheck"_s)->setChecked(false);
        QCOMPARE(m_dialog->request().keyUsage, u"digitalSignature,nonRepudiation"_s);
        QCOMPARE(m_dialog->request().extendedKeyUsage, u"serverAuth,clientAuth"_s);

        // A key type change keeps the user's choice where it still fits.
        m_dialog->setKeyType(KeyType::EcP384);
        QCOMPARE(m_dialog->request().keyUsage, u"digitalSignature,nonRepudiation"_s);
        toggle(ku, u"keyAgreement"_s);
        typeInto(u"filePrefixEdit"_s, u"usages"_s);
        QVERIFY(generateAndWait());
        QString out;
        QCOMPARE(
            run({u"x509"_s, u"-in"_s, path(u"usages.pem"_s), u"-noout"_s, u"-ext"_s, u"keyUsage,extendedKeyUsage"_s},
                &out),
            0);
        QVERIFY2(out.contains(u"Digital Signature, Non Repudiation, Key Agreement"_s), qPrintable(out));
        QVERIFY2(!out.contains(u"critical"_s), qPrintable(out));
        QVERIFY2(out.contains(u"TLS Web Server Authentication, TLS Web Client Authentication"_s), qPrintable(out));

        // A CA without Certificate Sign is refused in words.
        m_dialog->setProfile(CertificateProfile::CertificateAuthority);
        QVERIFY(isChecked(usage(ku, u"keyCertSign"_s)));
        toggle(ku, u"keyCertSign"_s);
        QVERIFY2(message().contains(u"needs the key usage “Certificate Sign”"_s), qPrintable(message()));
    }

    // Enter generates (Generate is the default button, from any field); Esc closes when nothing runs.
    void enterGeneratesEscCloses()
    {
        typeInto(u"filePrefixEdit"_s, u"enter"_s);
        auto *cn = child<QLineEdit>(u"commonNameEdit"_s);
        cn->setFocus();
        QSignalSpy created(m_dialog.get(), &CertificateDialog::identityCreated);
        QTest::keyClick(cn, Qt::Key_Return);
        QVERIFY(created.wait(10000));
        QVERIFY(QFileInfo::exists(path(u"enter.pem"_s)));
        QVERIFY(m_dialog->isVisible());

        QSignalSpy finished(m_dialog.get(), &QDialog::finished);
        QTest::keyClick(cn, Qt::Key_Escape);
        QCOMPARE(finished.count(), 1);
        QCOMPARE(finished.first().first().toInt(), int(QDialog::Rejected));
        QVERIFY(!m_dialog->isVisible());
    }

    // On a 1024x768 screen, with a window manager's title bar (about 30 px) and a panel: the dialog at its smallest,
    // even with problems listed, leaves Generate on the screen. (tst_windowfit checks the dialog opened by the window.)
    void fitsASmallScreen()
    {
        typeSans(u"IP:300.1.1.1"_s);
        typeInto(u"countryEdit"_s, u"Germany"_s);
        QVERIFY(!message().isEmpty());
        const QSize minimum = m_dialog->minimumSizeHint();
        QVERIFY2(minimum.width() <= 1024 && minimum.height() <= 768 - 40,
            qPrintable(u"%1x%2"_s.arg(minimum.width()).arg(minimum.height())));
        // Every usage is in view, none behind a scroll bar.
        for (const QString &name : {u"keyUsageList"_s, u"extendedKeyUsageList"_s}) {
            auto *list = child<QListWidget>(name);
            for (int i = 0; i < list->count(); ++i) {
                const QRect item = list->visualItemRect(list->item(i));
                QVERIFY2(list->viewport()->rect().contains(item), qPrintable(name + u' ' + list->item(i)->text()));
            }
        }
    }

    // Not a check: the documentation screenshot (set TLSLAB_SCREENSHOT to a PNG path to take it).
    void screenshot()
    {
        const QString out = qEnvironmentVariable("TLSLAB_SCREENSHOT");
        if (out.isEmpty())
            QSKIP("TLSLAB_SCREENSHOT not set");
        // A CA made a moment ago, now offered as the issuer of a server certificate.
        m_dialog->setProfile(CertificateProfile::CertificateAuthority);
        QVERIFY(generateAndWait());
        m_dialog->setProfile(CertificateProfile::Server);
        m_dialog->setKeyType(KeyType::Rsa2048);
        typeInto(u"commonNameEdit"_s, u"www.lab.test"_s);
        typeInto(u"organizationEdit"_s, u"TLS Lab"_s);
        typeSans(u"DNS:www.lab.test\n127.0.0.1"_s);
        m_dialog->setValidDays(90);
        QVERIFY2(generateButton()->isEnabled(), qPrintable(message()));
        QVERIFY(m_dialog->grab().save(out));
        qInfo("screenshot: %s", qPrintable(out));
    }
};

QTEST_MAIN(TestCertificateDialog)
#include "tst_certificatedialog.moc"
