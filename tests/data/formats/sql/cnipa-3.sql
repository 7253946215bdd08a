/*
 Navicat Premium Dump SQL

 Source Server         : 172.16.12.52_3306
 Source Server Type    : MySQL
 Source Server Version : 50728 (5.7.28)
 Source Host           : 172.16.12.52:3306
 Source Schema         : kejichengguo

 Target Server Type    : MySQL
 Target Server Version : 50728 (5.7.28)
 File Encoding         : 65001

 Date: 21/07/2025 17:28:05
*/

SET NAMES utf8mb4;
SET FOREIGN_KEY_CHECKS = 0;

-- ----------------------------
-- Table structure for 专利总表_copy1
-- ----------------------------
DROP TABLE IF EXISTS `专利总表_copy1`;
CREATE TABLE `专利总表_copy1`  (
  `序号` int(11) NULL DEFAULT NULL,
  `申请日` int(11) NULL DEFAULT NULL,
  `公开日` int(11) NULL DEFAULT NULL,
  `授权公告日` int(11) NULL DEFAULT NULL,
  `申请人` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `发明人` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `申请号` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `公开号` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `授权公告号` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `专利类型` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `专利名称` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `授权名称` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `申请摘要` text CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL,
  `主权项` text CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL,
  `申请人地址` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `法律状态` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `主分类号` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `分类号` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `国省代码` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `专利代理人` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `专利代理机构` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `优先权` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `优先权日` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `优先权数量` int(11) NULL DEFAULT NULL,
  `全文链接` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `第一发明人` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `第一权利人` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `申请人类型` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `当前发明人` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `当前权利人` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `当前著录项联系人通讯地址` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `当前专利代理人` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `当前专利代理机构` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `变更前代理机构` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `法律事件` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `引证专利` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `非专利引证` text CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL,
  `引证数` int(11) NULL DEFAULT NULL,
  `同族专利` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `专利转移次数` int(11) NULL DEFAULT NULL,
  `许可次数` int(11) NULL DEFAULT NULL,
  `质押次数` int(11) NULL DEFAULT NULL,
  `简单同族数量` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `转让日期` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `失效日期` int(11) NULL DEFAULT NULL,
  `质押日期` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `许可日期` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `无效宣告日期` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `CPC主分类号` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `CPC分类号` varchar(1000) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `FI主分类号` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `FI分类号` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `国际申请号` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `国际申请日` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `国际公开号` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `国际公开日` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `进入国家日期` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `颁证日` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `审查员` varchar(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT NULL,
  `审查时长` int(11) NULL DEFAULT NULL,
  `实质审查日` int(11) NULL DEFAULT NULL
) ENGINE = InnoDB CHARACTER SET = utf8mb4 COLLATE = utf8mb4_general_ci ROW_FORMAT = Dynamic;

-- ----------------------------
-- Records of 专利总表_copy1
-- ----------------------------
INSERT INTO `专利总表_copy1` VALUES (1, 20221202, 20230328, 20230328, '中科大数据研究院', '刘迪;刘敏;王煜伟;付艳波;王元卓', 'CN202223220665.2', 'CN218751475U', 'CN218751475U', '实用新型', '一种无人机机载多功能盒', '一种无人机机载多功能盒', '为解决目前无人机在实际的使用过程中不能进行方便快捷的实现飞行路线调整，不能对飞行时的数据进行实时处理，实际使用起来步骤繁琐，同时目前的无人机挂载设备单一，没有可自由扩展的数据接口，只能挂载摄像头等官方的设备，不能灵活挂载用于定制化需求的设备等问题，实用新型提出了一种无人机机载多功能盒，该多功能盒内设置有CPU模块、4G/5G通信模块以及扩展接口等多种电子器件，可将数据直接发送到云服务器，直接与底面进行数据传输并可以进行实时分析数据，同时可以通过扩展接口添加其他硬件采集模块。同时由于无人机在飞行过程中会持续产生震动，因此本实用新型添加了具有减震效果的结构。', '1.一种无人机机载多功能盒，其特征在于，包括内盒（1），外盒（2）和内部电路，所述内部电路设置在内盒（1）内部，内部电路包括底板（7）、CPU模块（3）、4G/5G通信模块（4）、扩展接口（13）和通讯接口（6），所述CPU模块（3）、4G/5G通信模块（4）、扩展接口（13）和通讯接口（6）均匹配安装在底板（7）对应位置上，4G/5G通信模块（4）、扩展接口（13）和通讯接口（6）均与CPU模块（3）连接，内盒（1）的外表面上沿四周侧壁均匀设置有多个燕尾形状的插块（8），外盒（2）的内侧壁与插块（8）对应的位置设置有相应的插座（9），插座（9）通过弹性带（10）固定在外盒（2）的内侧壁上，内盒（1）通过插块（8）与插座（9）连接悬空固定在外盒（2）内部，外盒（2）每个侧面均设置有多个贯穿外盒（2）的插孔（12），插孔（12）内匹配设置有插杆（11），所述插杆（11）上设置有与插座（9）大小匹配的凹槽，插杆（11）插入插孔（12）内时插座（9）匹配插入凹槽内。', '450000河南省郑州市郑东新区中道东路6号创意岛大厦8层', '有权-审定授权', 'B64U20/80', 'B64U20/80;B64U101/30', '河南(41)', '袁艳丽', '郑州明华专利代理事务所（普通合伙）', '', '', 0, '查看CN202223220665.2', '刘迪', '中科大数据研究院', '科研机构', '刘迪;刘敏;王煜伟;付艳波;王元卓', '中科大数据研究院', '河南省郑州市郑东新区中道东路6号创意岛大厦8层', '袁艳丽', '郑州明华专利代理事务所（普通合伙）', '', '', '', '', 0, '', 0, 0, 0, '', '', 0, '', '', '', '', '', '', '', '', '', '', '', '', '', '', 0, 0);
INSERT INTO `专利总表_copy1` VALUES (2, 20211130, 20220617, 20220617, '中科大数据研究院', '王元卓;马少丹;吴浩;刘帅锋', 'CN202122975192.6', 'CN216774847U', 'CN216774847U', '实用新型', '一种可拍照便携式实时语音播报端测摄像头', '一种可拍照便携式实时语音播报端测摄像头', '本实用新型公开了一种可拍照便携式实时语音播报端测摄像头，涉及端测摄像头领域，包括摄像头壳体，摄像头壳体上设置有高清摄像头模组、数字拾音器、SD卡、USB接口、扬声器、双闪灯、切换按键，本实用新型通过将端测摄像头固定于眼镜部位或者头部进行第一视角录像拍照，端测摄像头可以跟随使用者眼的观看视角进行调整，及时录取拍摄内容，并且在数据终端扫描到外界环境有异常时，在音频子板和扬声器的配合下，及时的发送多条语音播报，进行预警信息，端测摄像头固定于头部或眼镜部位，语音播报预警信息可清晰传送到人耳部位，以便于使用者在异常情况及时进行反应。', '1.一种可拍照便携式实时语音播报端测摄像头，包括摄像头壳体，其特征在于：所述摄像头壳体上设置有高清摄像头模组、数字拾音器、SD卡、USB接口、扬声器、双闪灯、切换按键；还包括控制系统，控制系统包括控制器、数据终端、终端储存模块、充电设备和音频子板；控制器与数据终端联接，数据终端与终端储存模块联接进行数据储存；控制器与音频子板联接，音频子板与扬声器联接用于播报语音预警信息；充电设备与控制器联接用于供电；SD卡与控制器联接；切换按键与控制器联接用于切换拍照和录像模式；高清摄像头模组通过视频流与控制器联接用于视频数据的传输；数字拾音器通过音频流与控制器联接用于音频数据的传输。', '450000河南省郑州市郑东新区中道东路6号创意岛大厦8层', '有权-审定授权', 'H04N5/225', 'H04N5/225;H04N5/232;H04N5/76;H02J7/00', '河南(41)', '王明朗', '郑州明华专利代理事务所（普通合伙）', '', '', 0, '查看CN202122975192.6', '王元卓', '中科大数据研究院', '科研机构', '王元卓;马少丹;吴浩;刘帅锋', '中科大数据研究院', '河南省郑州市郑东新区中道东路6号创意岛大厦8层', '王明朗', '郑州明华专利代理事务所（普通合伙）', '', '', '', '', 0, '', 0, 0, 0, '', '', 0, '', '', '', '', '', '', '', '', '', '', '', '', '', '', 0, 0);
INSERT INTO `专利总表_copy1` VALUES (3, 20210715, 20221004, 20221004, '中科大数据研究院', '郭晓东;王煜炜;王元卓;刘敏;付艳波', 'CN202121635235.X', 'CN217546176U', 'CN217546176U', '实用新型', '无人机巡检系统', '无人机巡检系统', '本申请提供一种无人机巡检系统。在本申请的一些实施例中，无人机巡检系统，包括：无人机，和与无人机通信连接的管控设备；无人机，设置有图像采集设备、通信设备、抛投器和喊话器；抛投器，用于向目标林业区域抛投物资；喊话器，用于向目标人群播放语音信号；无人机，在管控设备的控制下飞行至目标林业区域执行巡检任务，并利用图像采集设备对目标林业区域进行图像采集，以及通过通信设备与管控设备进行通信；管控设备，用于接收无人机发送的状态信息和包含目标林业区域的视频信息，并展示包含目标林业区域的视频信息，并向无人机发送控制指令，本申请的无人机巡检系统可以自动对林业区域进行巡检，提高林业巡检效率。', '1.一种无人机巡检系统，其特征在于，包括：无人机和与所述无人机通信连接的管控设备；所述无人机设置有图像采集设备、通信设备、抛投器和喊话器；所述抛投器，用于向目标林业区域抛投物资，所述喊话器，用于向目标人群播放语音信号；所述无人机，在管控设备的控制下飞行至目标林业区域执行巡检任务，并利用图像采集设备对目标林业区域进行图像采集，以及通过通信设备与管控设备进行通信；所述管控设备，用于接收无人机发送的状态信息和包含目标林业区域的视频信息，并展示所述包含目标林业区域的视频信息，并向无人机发送控制指令。', '450018河南省郑州市郑东新区中道东路6号创意岛大厦8层', '有权-审定授权', 'H04N7/18', 'H04N7/18;G07C1/20;B64C39/02;B64D47/08;B64D1/08;B64D47/02', '河南(41)', '王军君', '北京开阳星知识产权代理有限公司', '', '', 0, '查看CN202121635235.X', '郭晓东', '中科大数据研究院', '科研机构', '郭晓东;王煜炜;王元卓;刘敏;付艳波', '中科大数据研究院', '河南省郑州市郑东新区中道东路6号创意岛大厦8层', '王军君', '北京开阳星知识产权代理有限公司', '', '', '', '', 0, '', 0, 0, 0, '', '', 0, '', '', '', '', '', '', '', '', '', '', '', '', '', '', 0, 0);
