from tortoise import migrations
from tortoise.migrations import operations as ops
from backend.domains.files.models import UploadPurpose
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0010_resident_profile')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Community',
            name='latitude',
            field=fields.FloatField(null=True),
        ),
        ops.AddField(
            model_name='Community',
            name='longitude',
            field=fields.FloatField(null=True),
        ),
        ops.AlterField(
            model_name='Upload',
            name='purpose',
            field=fields.CharEnumField(description='TICKET_PHOTO: ticket_photo\nTICKET_VIDEO: ticket_video\nTICKET_WORK_PHOTO: ticket_work_photo\nAVATAR: avatar', enum_type=UploadPurpose, max_length=32),
        ),
        ops.AddField(
            model_name='User',
            name='avatar_file_id',
            field=fields.BigIntField(null=True),
        ),
    ]
