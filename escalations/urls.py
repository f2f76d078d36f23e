from clinic.api.routers import ClinicRouter
from escalations import api

router = ClinicRouter()
api.register(router)

urlpatterns = router.urls
