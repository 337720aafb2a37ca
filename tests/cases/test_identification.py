"""Identification (两公示一公告), monitoring and relapse paths; notices without full names or ID numbers."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from django.core.exceptions import ValidationError

from tests.cases.conftest import APPLICANT
from tuopin.cases import actions as a
from tuopin.cases import bulk
from tuopin.cases.choices import CaseKind, CaseState
from tuopin.cases.documents import notice_docx
from tuopin.cases.models import Attachment, Step
from tuopin.registry.models import Household, Member

D = dt.date
FULL_ID = re.compile(r"(?<![0-9])\d{17}[0-9Xx](?![0-9])")
NOTICE = {"contact": "村委会 王主任 0437-1234567", "address": "大榆村村委会公开栏"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _ident_until_announced(actors, regions, approver):
    clerk, reviewer = actors["clerk_a"], actors["reviewer"]
    case = a.apply_identification(
        actor=clerk,
        village=regions["a"],
        year=2019,
        applicant=APPLICANT,
        date=D(2019, 5, 1),
        files=[("申请书.pdf", PDF)],
    )
    case = a.appraise(case, actor=clerk, attendees=30, votes_for=25, votes_against=3, abstain=2, date=D(2019, 5, 5))
    n1 = bulk.post_notice(
        [case], actor=clerk, region=regions["a"], start_date=D(2019, 5, 6), end_date=D(2019, 5, 12), **NOTICE
    )
    case = a.review(case, actor=reviewer, decision="approve", date=D(2019, 5, 13))
    bulk.post_notice(
        [case], actor=reviewer, region=regions["a"], start_date=D(2019, 5, 14), end_date=D(2019, 5, 20), **NOTICE
    )
    case = a.approve(case, actor=approver, decision="approve", date=D(2019, 5, 21))
    bulk.post_notice(
        [case], actor=clerk, region=regions["a"], start_date=D(2019, 5, 22), end_date=D(2019, 5, 28), **NOTICE
    )
    case.refresh_from_db()
    return case, n1


def test_identification_full_path(actors, regions, standards, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case, _n1 = _ident_until_announced(actors, regions, actors["approver"])
    assert case.state == CaseState.ANNOUNCED
    assert "id_number" not in str(case.applicant_summary) and case.applicant_enc
    case = a.complete(case, actor=actors["clerk_a"], date=D(2019, 5, 29))
    assert case.state == CaseState.DONE and case.household is not None and case.applicant_enc == ""
    h = Household.objects.get(pk=case.household_id)
    assert h.status == "poor" and h.identification_year == 2019 and h.member_count == 2
    appraisal = Step.objects.get(case=case, kind="appraise")
    assert appraisal.data == {"attendees": 30, "for": 25, "against": 3, "abstain": 2}
    att = Attachment.objects.get()
    assert att.original_name == "申请书.pdf" and "申请书" not in att.file.name and att.file.name.endswith(".pdf")


def test_missing_vote_record_refused(actors, regions, standards):
    case = a.apply_identification(actor=actors["clerk_a"], village=regions["a"], year=2019, applicant=APPLICANT)
    with pytest.raises(ValidationError) as exc:
        a.appraise(case, actor=actors["clerk_a"], attendees=None, votes_for=None, votes_against=None, abstain=None)
    assert "表决" in str(exc.value)
    with pytest.raises(ValidationError):
        a.appraise(case, actor=actors["clerk_a"], attendees=30, votes_for=10, votes_against=3, abstain=2)


def test_appraisal_without_majority_rejects(actors, regions, standards):
    case = a.apply_identification(actor=actors["clerk_a"], village=regions["a"], year=2019, applicant=APPLICANT)
    case = a.appraise(case, actor=actors["clerk_a"], attendees=20, votes_for=10, votes_against=8, abstain=2)
    assert case.state == CaseState.REJECTED


def test_duplicate_application_and_registered_person_refused(actors, regions, standards, make_household):
    a.apply_identification(actor=actors["clerk_a"], village=regions["a"], year=2019, applicant=APPLICANT)
    with pytest.raises(ValidationError):
        a.apply_identification(actor=actors["clerk_a"], village=regions["a"], year=2019, applicant=APPLICANT)
    h = make_household()
    member = Member.objects.filter(household=h).first()
    assert member is not None


def test_identification_objection_goes_back_to_review(actors, regions, standards):
    clerk = actors["clerk_a"]
    case = a.apply_identification(actor=clerk, village=regions["a"], year=2019, applicant=APPLICANT, date=D(2019, 5, 1))
    a.appraise(case, actor=clerk, attendees=9, votes_for=9, votes_against=0, abstain=0, date=D(2019, 5, 2))
    bulk.post_notice(
        [case], actor=clerk, region=regions["a"], start_date=D(2019, 5, 3), end_date=D(2019, 5, 9), **NOTICE
    )
    case = a.object_to_notice(case, actor=clerk, note="该户家有经营性车辆", date=D(2019, 5, 4))
    assert case.state == CaseState.OBJECTED
    case = a.review(case, actor=actors["reviewer"], decision="reject", note="核实属实，不予识别", date=D(2019, 5, 6))
    assert case.state == CaseState.REJECTED


def test_bad_upload_refused(actors, regions, standards):
    for name, content in [("x.pdf", b"MZ\x90\x00 not a pdf"), ("x.jpg", PDF), ("../../etc/x.docx", b"PK\x03\x04junk")]:
        with pytest.raises(ValidationError):
            a.apply_identification(
                actor=actors["clerk_a"], village=regions["a"], year=2019, applicant=APPLICANT, files=[(name, content)]
            )


def test_monitoring_and_relapse(eligible, actors, approver2):
    good, _ = eligible
    clerk, reviewer, approver = actors["clerk_a"], actors["reviewer"], actors["approver"]
    h = good[0]
    from tuopin.registry.actions import change_status

    change_status(h, actor=approver, to_status="exited", year=2018, reason="2018年脱贫", date=D(2018, 12, 1))
    case = a.report_risk(
        h,
        actor=clerk,
        kind=CaseKind.MONITORING_ENTRY,
        year=2019,
        source="declaration",
        category="sudden",
        reason="户主突发重病，医疗支出骤增",
        date=D(2019, 7, 1),
    )
    with pytest.raises(ValidationError):  # county confirmation needs verification first
        a.approve(case, actor=approver, decision="approve", date=D(2019, 7, 2))
    a.verify(case, actor=reviewer, verifiers=["甲"], decision="approve", date=D(2019, 7, 3))
    a.approve(case, actor=approver, decision="approve", date=D(2019, 7, 4))
    assert Household.objects.get(pk=h.pk).status == "monitored"
    case = a.report_risk(
        h,
        actor=clerk,
        kind=CaseKind.MONITORING_EXIT,
        year=2019,
        source="screening",
        reason="医保报销后支出回落",
        date=D(2019, 11, 1),
    )
    a.verify(case, actor=reviewer, verifiers=["甲", "乙"], decision="approve", date=D(2019, 11, 2))
    a.approve(case, actor=approver, decision="approve", date=D(2019, 11, 3))
    assert Household.objects.get(pk=h.pk).status == "risk_cleared"


def test_relapse(eligible, actors):
    good, _ = eligible
    h = good[1]
    from tuopin.registry.actions import change_status

    change_status(h, actor=actors["approver"], to_status="exited", year=2018, reason="2018年脱贫", date=D(2018, 12, 1))
    case = a.report_risk(
        h,
        actor=actors["clerk_a"],
        kind=CaseKind.RELAPSE,
        year=2019,
        source="alert",
        reason="医保部门预警：大病支出",
        date=D(2019, 8, 1),
    )
    a.verify(case, actor=actors["reviewer"], verifiers=["甲", "乙"], decision="approve", date=D(2019, 8, 2))
    a.approve(case, actor=actors["approver"], decision="approve", date=D(2019, 8, 3))
    assert Household.objects.get(pk=h.pk).status == "relapsed"


def test_notice_outputs_have_no_full_id_or_name(actors, regions, standards, client_for):
    case, n1 = _ident_until_announced(actors, regions, actors["approver"])
    full_names = [m["name"] for m in APPLICANT["members"]]
    full_ids = [m["id_number"] for m in APPLICANT["members"]]
    data = notice_docx(n1)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    html = client_for(actors["clerk_a"]).get(f"/cases/notices/{n1.pk}/print/").content.decode("utf-8")
    for text in (xml, html):
        assert not FULL_ID.search(text)
        for name in full_names:
            assert name not in text
        for number in full_ids:
            assert number not in text
        assert "申**甲" in text and "2****************" in text
        assert "2019年5月6日" in text and "2019年5月12日" in text and "大榆村村委会公开栏" in text
    resp = client_for(actors["clerk_a"]).get(f"/cases/notices/{n1.pk}/notice.docx")
    assert resp.status_code == 200 and resp.content[:2] == b"PK"
    assert client_for(actors["outsider"]).get(f"/cases/notices/{n1.pk}/print/").status_code == 404
