"""(to be written)"""

from fastapi import APIRouter, Depends

from exchange.web.csrf import verify_csrf

router = APIRouter(tags=["pages"], include_in_schema=False, dependencies=[Depends(verify_csrf)])
