"""The published document list (SPEC step 11), read by a real browser. While `contribd run`
watches the mailbox, it finds two weeks of contributions from July 2020 there, some before and
some after the deadline, two with a subject and a file name that attack the page; contribd
publishes them, and a withdrawal typed in another shell shows on the page within seconds.
Headless Chromium, served the folder by a plain web server on 127.0.0.1, reads the meeting's
table and finds what `contribd list --json` says, follows a file link to the registered bytes,
finds no element injected by the hostile texts, lays the rows out as cards on a phone, and
saves the screenshots in docs/. Every page passes html5lib's strict parser; the CSV, read back
with Python's csv module, and documents.json match the register; timeline.svg has one point per
contribution and the deadline line; `contribd publish` rewrites nothing when nothing changed."""

import calendar
import csv
import email.policy
import functools
import hashlib
import html5lib
import http.server
import imaplib
import json
import os
import threading
import time
import unittest
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ElementTree

import harness
import mailenv
from documents import DOCX, plain_document, template_document
from harness import Contribd, contribution
from harness import RunningDaemon, desk, reset_sandbox

try:
    from selenium import webdriver
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
except ImportError as missing:  # the test needs the browser; say how to get it
    raise ImportError(f"{missing}: run scripts/install-deps (python3-selenium, chromium, "
                      "chromium-driver)") from missing

PDF = "application/pdf"
ALICE = "alice@member.test"
SCRIPT_TITLE = "<script>alert(1)</script>"
IMG_TITLE = '"><img src=x onerror=alert(1)>'
SOURCE_DIR = os.environ.get("CONTRIBD_SOURCE_DIR",
                            os.path.join(os.path.dirname(__file__), "..", ".."))
PHONE = (390, 844)
DESKTOP = (1280, 900)
SVG = "{http://www.w3.org/2000/svg}"


def cover(title, source, address):
    """A .docx in the group's template whose cover sheet gives TITLE and SOURCE."""
    name = address.split("@")[0].capitalize() + " Example"
    return template_document(title, source, os.urandom(8).hex(),
                             contact=(name, source, "Switzerland", address))


def enable_publishing(installation, folder):
    """Adds the [publish] table to the installation's config."""
    with open(installation.config_path, "a") as config:
        config.write(f'\n[publish]\ndir = "{folder}"\n')


def without_paths(value):
    """list --json as published: the same elements without the stored files' local paths."""
    if isinstance(value, dict):
        return {key: without_paths(item) for key, item in value.items() if key != "path"}
    if isinstance(value, list):
        return [without_paths(item) for item in value]
    return value


def shown_title(row):
    return row["title"] or row["subject"]


def file_href(row, file, revision=0):
    """The link a stored file is published under: its stored name, percent-encoded."""
    name = os.path.basename(file["path"])
    folder = f"files/{urllib.parse.quote(row['document_number'], safe='')}/"
    if revision:
        folder += f"rev{revision}/"
    return folder + urllib.parse.quote(name, safe="")


def inert(text):
    """A CSV cell from mail as published: formulas get a leading apostrophe."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def minutes_utc(rfc3339):
    """"2020-07-20T08:00:00Z" as the page shows it: "2020-07-20 08:00 UTC"."""
    return f"{rfc3339[:10]} {rfc3339[11:16]} UTC"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_folder(folder):
    """A plain web server for FOLDER on 127.0.0.1, as an operator's nginx would serve it."""
    handler = functools.partial(QuietHandler, directory=folder)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--hide-scrollbars", "--lang=en-GB",
                     f"--window-size={DESKTOP[0]},{DESKTOP[1]}"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


class DocumentListInABrowser(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        mailenv.start()
        reset_sandbox()
        # The fifth meeting's circular: input documents by 22 July 2020, Geneva time. The
        # messages are put in the mailbox with IMAP APPEND, which sets their INTERNALDATE,
        # the receipt time: two weeks of contributions, two of them late.
        cls.deadline = calendar.timegm((2020, 7, 22, 21, 59, 59))
        arrivals = [
            ((2020, 7, 10, 9, 12), contribution(
                ALICE, "Proposed text for clause 7",
                [("clause 7 & 8.docx", cover("Draft Y.QKDN-req: clause 7", "Alice Labs", ALICE),
                  DOCX)])),
            # A cover sheet and a file name that attack the page.
            ((2020, 7, 14, 16, 40), contribution(
                "bob@member.test", "Input on clause 8",
                [("clause8.docx", cover(SCRIPT_TITLE, "Bob & Partners <bp>", "bob@member.test"),
                  DOCX),
                 (IMG_TITLE + ".pdf", os.urandom(2_000), PDF)])),
            ((2020, 7, 16, 8, 5), contribution(
                "erin@member.test", "Use cases",
                [("use-cases.docx", cover("Use cases for QKD networks", "Erin Institute",
                                          "erin@member.test"), DOCX)])),
            # No .docx: the subject, hostile too, stands in for the title.
            ((2020, 7, 20, 11, 30), contribution(
                "carol@member.test", IMG_TITLE + " Use cases",
                [("r\u00e9sum\u00e9 #1.pdf", os.urandom(7_000), PDF)])),
            ((2020, 7, 21, 13, 0), contribution(
                "frank@member.test", "Key management",
                [("key-management.docx", cover("Requirements for key management",
                                               "Frank Networks", "frank@member.test"), DOCX)])),
            ((2020, 7, 22, 21, 30), contribution(
                "bob@member.test", "Editorial corrections to clause 8",
                [("clause8-editorial.docx", plain_document("Editorial corrections."), DOCX)])),
            ((2020, 7, 23, 7, 45), contribution(
                "dave@member.test", "Late input on clause 9",
                [("clause9.docx", cover("Security considerations for clause 9", "Dave Telecom",
                                        "dave@member.test"), DOCX),
                 ("figures.pdf", os.urandom(4_000), PDF)])),
            # Rev.1 of QIT4N-I-001 (SPEC step 9), late by its own receipt time.
            ((2020, 7, 23, 10, 0), contribution(
                ALICE, "Corrected text for clause 7 [QIT4N-I-001]",
                [("clause 7 v2.docx", cover("Draft Y.QKDN-req: clause 7", "Alice Labs", ALICE),
                  DOCX)])),
        ]
        imap = harness.Imap()
        try:
            for when, message in arrivals:
                received = imaplib.Time2Internaldate(calendar.timegm((*when, 0)))
                status, detail = imap.conn.append(
                    "INBOX", None, received, message.as_bytes(policy=email.policy.SMTP))
                if status != "OK":
                    raise AssertionError(f"APPEND failed: {detail}")
        finally:
            imap.close()
        cls.messages = {message["Message-ID"]: message for _, message in arrivals}

        second_meeting = "\n".join([
            "", "[[meeting]]", 'id = "QIT4N-06"', 'title = "Sixth meeting of FG-QIT4N"',
            'deadline = "2020-10-14T23:59:59+02:00"', 'closes = "2020-10-30T23:59:59+01:00"',
            'document_prefix = "QIT4N-I-"', "first_number = 1"])
        cls.contribd = Contribd(deadline=cls.deadline,
                                closes=calendar.timegm((2020, 8, 7, 21, 59, 59)),
                                extra_meetings=second_meeting, timezone="Europe/Zurich")
        cls.public = os.path.join(cls.contribd.state, "public")
        enable_publishing(cls.contribd, cls.public)
        cls.daemon = RunningDaemon(cls.contribd)
        published = harness.wait_until(
            lambda: "published the document lists" in cls.daemon.log()
            and len(cls.contribd.register()) >= 7
            and all(row["reply"]["state"] == "sent" for row in cls.contribd.register())
            and os.path.exists(os.path.join(cls.public, "QIT4N-05", "index.html")), 60)
        if not published:
            raise AssertionError("nothing was published:\n" + cls.daemon.log())
        cls.server = serve_folder(cls.public)
        cls.base = f"http://127.0.0.1:{cls.server.server_address[1]}/"
        cls.browser = browser()

    @classmethod
    def tearDownClass(cls):
        cls.browser.quit()
        cls.server.shutdown()
        code, seconds = cls.daemon.stop()
        if code != 0:
            print(f"\ncontribd exited {code} after {seconds:.1f} s:\n{cls.daemon.log()}")
        cls.contribd.remove()

    def register(self):
        return [row for row in self.contribd.register() if row["meeting"] == "QIT4N-05"]

    def row_for(self, message_id):
        rows = [row for row in self.register() if row["message_id"] == message_id]
        self.assertEqual(len(rows), 1, self.register())
        return rows[0]

    def page_source(self, relative):
        with open(os.path.join(self.public, relative), "rb") as page:
            return page.read()

    def open_page(self, relative, size=DESKTOP):
        self.browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": size[0], "height": size[1], "deviceScaleFactor": 1,
            "mobile": size == PHONE})
        self.browser.get(self.base + relative)
        self.assertNoAlert()

    def assertNoAlert(self):
        try:
            alert = self.browser.switch_to.alert
        except NoAlertPresentException:
            return
        text = alert.text
        alert.dismiss()
        self.fail(f"the page ran script from mail: alert({text})")

    def test_1_a_withdrawal_from_another_shell_shows_within_seconds(self):
        carol = next(message for message in self.messages.values()
                     if message["From"] == "carol@member.test")
        number = self.row_for(carol["Message-ID"])["document_number"]
        started = time.monotonic()
        result = desk(self.contribd, "withdraw", number, "--reason", "sent by mistake")
        self.assertEqual(result.returncode, 0, result.stderr)
        page = os.path.join(self.public, "QIT4N-05", "index.html")
        marker = f'class="contribution withdrawn" data-document="{number}"'

        def shown():
            with open(page, encoding="utf-8") as f:
                return marker in f.read()

        self.assertTrue(harness.wait_until(shown, 10, interval=0.1), self.daemon.log())
        seconds = time.monotonic() - started
        print(f"\nwithdraw -> published by the running daemon in {seconds:.2f} s")
        self.assertLess(seconds, 5.0)
        # The published list catches up with every reply sent meanwhile too.
        self.assertTrue(harness.wait_until(
            lambda: json.loads(self.page_source("QIT4N-05/documents.json"))
            == without_paths(self.register()), 15), self.daemon.log())

    def test_2_every_page_is_strict_html5_and_the_timeline_is_xml(self):
        for page in ("index.html", "QIT4N-05/index.html", "QIT4N-06/index.html"):
            with self.subTest(page=page):
                source = self.page_source(page)
                self.assertTrue(source.startswith(b"<!doctype html>\n<html lang=\"en\">"))
                html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(source)
        for svg in ("QIT4N-05/timeline.svg", "QIT4N-06/timeline.svg"):
            ElementTree.fromstring(self.page_source(svg))

    def test_3_the_table_in_the_browser_is_the_register(self):
        register = self.register()
        self.open_page("QIT4N-05/index.html")
        rows = self.browser.find_elements(By.CSS_SELECTOR, "table.documents tbody tr")
        self.assertEqual([row.get_attribute("data-document") for row in rows],
                         [row["document_number"] for row in register])
        for row, expected in zip(rows, register):
            with self.subTest(document=expected["document_number"]):
                cell = lambda name: row.find_element(By.CSS_SELECTOR, f"td.{name}")  # noqa: E731
                self.assertEqual(cell("document").find_element(By.CSS_SELECTOR, ".number").text,
                                 expected["document_number"])
                self.assertEqual(cell("title").text, shown_title(expected))
                self.assertEqual(cell("source").text, expected["source"] or "")
                received = cell("received").find_element(By.TAG_NAME, "time")
                self.assertEqual(received.get_attribute("datetime"), expected["received_at"])
                self.assertEqual(received.text, minutes_utc(expected["received_at"]))
                status = cell("state").find_element(By.CSS_SELECTOR, ".status").text
                self.assertEqual(status, {"on_time": "on time", "late": "late"}[expected["status"]])
                links = cell("document").find_elements(By.CSS_SELECTOR, "ul.files a")
                self.assertEqual([link.text for link in links],
                                 [os.path.basename(f["path"]) for f in expected["files"]])
                self.assertEqual([link.get_attribute("href") for link in links],
                                 [self.base + "QIT4N-05/" + file_href(expected, f)
                                  for f in expected["files"]])
                withdrawn = "withdrawn" in row.get_attribute("class").split()
                self.assertEqual(withdrawn, expected["withdrawn"] is not None)
                if withdrawn:
                    self.assertEqual(len(cell("title").find_elements(By.TAG_NAME, "del")), 1)
                    self.assertIn("(withdrawn)", cell("document").get_attribute("textContent"))
                    self.assertEqual(
                        "line-through",
                        cell("title").find_element(By.TAG_NAME, "del")
                        .value_of_css_property("text-decoration-line"))
                revisions = cell("revisions").find_elements(By.CSS_SELECTOR, "li")
                self.assertEqual(len(revisions), len(expected["revisions"]))
                for item, revision in zip(revisions, expected["revisions"]):
                    self.assertTrue(item.text.startswith(
                        f"Rev.{revision['revision']} {minutes_utc(revision['received_at'])} "
                        f"({'late' if revision['status'] == 'late' else 'on time'})"), item.text)
                    self.assertEqual(
                        [a.get_attribute("href") for a in item.find_elements(By.TAG_NAME, "a")],
                        [self.base + "QIT4N-05/" + file_href(expected, f, revision["revision"])
                         for f in revision["files"]])
        counts = {name: self.browser.find_element(By.ID, f"count-{name}").text
                  for name in ("total", "on-time", "late", "withdrawn")}
        self.assertEqual(counts, {
            "total": str(len(register)),
            "on-time": str(sum(row["status"] == "on_time" for row in register)),
            "late": str(sum(row["status"] == "late" for row in register)),
            "withdrawn": str(sum(row["withdrawn"] is not None for row in register))})
        self.assertIn("2020-07-22 21:59:59 UTC (2020-07-22 23:59:59 CEST)",
                      self.browser.find_element(By.CSS_SELECTOR, "p.deadline").text)
        timeline = self.browser.find_element(By.CSS_SELECTOR, "figure.timeline img")
        self.assertGreater(self.browser.execute_script("return arguments[0].naturalWidth",
                                                       timeline), 0, "timeline.svg did not load")

    def test_4_a_file_link_leads_to_the_registered_bytes(self):
        self.open_page("QIT4N-05/index.html")
        followed = 0
        for expected in self.register():
            row = f'tr[data-document="{expected["document_number"]}"]'
            versions = [(f"{row} ul.files a", expected["message_id"], expected["files"])]
            versions += [(f'{row} li[data-revision="{revision["revision"]}"] a',
                          revision["message_id"], revision["files"])
                         for revision in expected["revisions"]]
            for selector, message_id, files in versions:
                links = self.browser.find_elements(By.CSS_SELECTOR, selector)
                self.assertEqual(len(links), len(files), selector)
                attachments = {part.get_filename(): part.get_content()
                               for part in self.messages[message_id].iter_attachments()}
                for link, stored in zip(links, files):
                    with urllib.request.urlopen(link.get_attribute("href"), timeout=10) as response:
                        body = response.read()
                    self.assertEqual(hashlib.sha256(body).hexdigest(), stored["sha256"], stored)
                    self.assertEqual(body, attachments[stored["filename"]])
                    followed += 1
        self.assertGreaterEqual(followed, 10)

    def test_5_texts_from_mail_are_shown_not_run(self):
        self.open_page("QIT4N-05/index.html")
        self.assertEqual(len(self.browser.find_elements(By.TAG_NAME, "script")), 0)
        images = self.browser.find_elements(By.TAG_NAME, "img")
        self.assertEqual([image.get_attribute("src") for image in images],
                         [self.base + "QIT4N-05/timeline.svg"])
        titles = [cell.text for cell in self.browser.find_elements(By.CSS_SELECTOR, "td.title")]
        self.assertIn(SCRIPT_TITLE, titles)
        self.assertIn(IMG_TITLE + " Use cases", titles)
        self.assertIn("___img src=x onerror=alert(1)_.pdf",
                      [a.text for a in self.browser.find_elements(By.CSS_SELECTOR, "ul.files a")])
        self.assertNoAlert()

    def test_6_phone_and_desktop(self):
        docs = os.path.join(SOURCE_DIR, "docs")
        self.open_page("QIT4N-05/index.html", DESKTOP)
        self.assertEqual(self.browser.execute_script(
            "return getComputedStyle(document.querySelector('tbody tr')).display"), "table-row")
        self.browser.save_screenshot(os.path.join(docs, "document-list-desktop.png"))

        self.open_page("QIT4N-05/index.html", PHONE)
        self.assertEqual(self.browser.execute_script("return window.innerWidth"), PHONE[0])
        # Rows become cards: every cell a block with its column's name before it, and nothing
        # wider than the screen.
        self.assertEqual(self.browser.execute_script(
            "return getComputedStyle(document.querySelector('tbody tr')).display"), "block")
        self.assertEqual(self.browser.execute_script(
            "return getComputedStyle(document.querySelector('td.title'), '::before').content"),
            '"Title"')
        self.assertLessEqual(
            self.browser.execute_script("return document.documentElement.scrollWidth"), PHONE[0])
        self.browser.save_screenshot(os.path.join(docs, "document-list-phone.png"))

        self.open_page("index.html", PHONE)
        self.assertLessEqual(
            self.browser.execute_script("return document.documentElement.scrollWidth"), PHONE[0])
        meetings = self.browser.find_elements(By.CSS_SELECTOR, "tr.meeting td.id a")
        self.assertEqual([a.text for a in meetings], ["QIT4N-05", "QIT4N-06"])
        meetings[0].click()
        self.assertTrue(self.browser.current_url.endswith("/QIT4N-05/index.html"))

    def test_7_the_timeline_has_a_point_per_contribution_and_the_deadline(self):
        register = self.register()
        self.open_page("QIT4N-05/timeline.svg")
        points = self.browser.find_elements(By.CSS_SELECTOR, ".contribution")
        self.assertEqual(sorted(p.get_attribute("data-document") for p in points),
                         sorted(row["document_number"] for row in register))
        by_number = {row["document_number"]: row for row in register}
        for point in points:
            row = by_number[point.get_attribute("data-document")]
            self.assertEqual(point.get_attribute("data-received"), row["received_at"])
            self.assertEqual(point.tag_name, "rect" if row["status"] == "late" else "circle")
            self.assertEqual("withdrawn" in point.get_attribute("class").split(),
                             row["withdrawn"] is not None)
        deadline = self.browser.find_elements(By.CSS_SELECTOR, "line.deadline")
        self.assertEqual(len(deadline), 1)
        self.assertEqual(deadline[0].get_attribute("data-deadline"), "2020-07-22T21:59:59Z")
        svg = ElementTree.fromstring(self.page_source("QIT4N-05/timeline.svg"))
        self.assertIn("Deadline", "".join(svg.itertext()))

    def test_8_csv_and_json_are_the_register(self):
        register = self.register()
        raw = self.page_source("QIT4N-05/documents.csv")
        self.assertFalse(raw.startswith(b"\xef\xbb\xbf"), "no byte order mark")
        self.assertTrue(raw.split(b"\n", 1)[0].endswith(b"\r"), "CRLF line ends")
        with open(os.path.join(self.public, "QIT4N-05", "documents.csv"), newline="",
                  encoding="utf-8") as f:
            records = list(csv.DictReader(f))
        self.assertEqual(len(records), len(register))
        for record, row in zip(records, register):
            self.assertEqual(record, {
                "document_number": row["document_number"],
                "title": inert(shown_title(row)),
                "subject": inert(row["subject"]),
                "source": inert(row["source"] or ""),
                "received_at": row["received_at"],
                "status": row["status"],
                "withdrawn_at": row["withdrawn"]["at"] if row["withdrawn"] else "",
                "files": "\n".join(file_href(row, f) for f in row["files"]),
                "revisions": "\n".join(
                    " ".join([f"Rev.{r['revision']}", r["received_at"], r["status"],
                              *(file_href(row, f, r["revision"]) for f in r["files"])])
                    for r in row["revisions"]),
            })
        self.assertTrue(harness.wait_until(
            lambda: json.loads(self.page_source("QIT4N-05/documents.json"))
            == without_paths(self.register()), 15))
        self.assertEqual(json.loads(self.page_source("QIT4N-06/documents.json")), [])

    def test_9_publish_by_hand_rewrites_nothing_unchanged_and_needs_a_folder(self):
        result = self.contribd.run("publish", "--config", self.contribd.config_path)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertRegex(result.stdout, r"^published \d+ contributions of 2 meetings in .*: "
                                        r"0 pages changed, 0 files added\n$")
        unpublished = Contribd(deadline=self.deadline)
        try:
            result = unpublished.run("publish", "--config", unpublished.config_path)
        finally:
            unpublished.remove()
        self.assertEqual(result.returncode, 2)
        self.assertEqual(result.stdout, "")
        self.assertEqual(len(result.stderr.splitlines()), 1, result.stderr)
        self.assertIn("[publish] dir is not set", result.stderr)


if __name__ == "__main__":
    unittest.main()
