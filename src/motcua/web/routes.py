"""Public pages: home and the old→new address converter."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from motcua.units import get_registry
from motcua.units.address import MAX_INPUT_CHARS, get_converter
from motcua.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    counts = get_registry().counts(date.today())
    return render(request, "home.html", counts=counts)


@router.get("/address", response_class=HTMLResponse)
def address(request: Request, q: str = "") -> HTMLResponse:
    result = None
    too_long = len(q) > MAX_INPUT_CHARS
    if q.strip() and not too_long:
        result = get_converter().convert(q)
    return render(request, "address.html", q=q, result=result, too_long=too_long, max_chars=MAX_INPUT_CHARS)
